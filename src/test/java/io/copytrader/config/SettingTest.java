package io.copytrader.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each kind of setting at the edges of what it takes: the edge itself, the first value past it, a value of no kind. */
class SettingTest {

    /** A setting whose property {@code k} is {@code value}; nothing in the environment. */
    static Setting with(String value) {
        return new Setting(Map.of("k", value)::get, env -> null);
    }

    static final BigDecimal ONE = BigDecimal.ONE;
    static final BigDecimal TEN = BigDecimal.TEN;

    @Test
    void shouldTakeADecimalAtAnInclusiveEdgeAndRefuseItAtAnExclusiveOne() {
        assertThat(with("1").decimal("k", "K", "5", ONE, true, TEN, true)).isEqualByComparingTo("1");
        assertThat(with("10").decimal("k", "K", "5", ONE, true, TEN, true)).isEqualByComparingTo("10");
        assertThatThrownBy(() -> with("1").decimal("k", "K", "5", ONE, false, TEN, true))
                .isInstanceOf(InvalidSettingException.class).hasMessage("K (k) must be in (1, 10], but was 1");
        assertThatThrownBy(() -> with("10").decimal("k", "K", "5", ONE, true, TEN, false))
                .isInstanceOf(InvalidSettingException.class).hasMessage("K (k) must be in [1, 10), but was 10");
        assertThatThrownBy(() -> with("0.999").decimal("k", "K", "5", ONE, true, TEN, true))
                .isInstanceOf(InvalidSettingException.class);
        assertThatThrownBy(() -> with("10.001").decimal("k", "K", "5", ONE, true, TEN, true))
                .isInstanceOf(InvalidSettingException.class);
        assertThatThrownBy(() -> with("1e").decimal("k", "K", "5", ONE, true, TEN, true))
                .isInstanceOf(InvalidSettingException.class).hasMessage("K (k) must be a number in [1, 10], but was '1e'");
    }

    @Test
    void shouldTakeAWholeNumberAtBothEdgesOnly() {
        assertThat(with("1").integer("k", "K", "5", 1, 10)).isEqualTo(1);
        assertThat(with("10").integer("k", "K", "5", 1, 10)).isEqualTo(10);
        assertThatThrownBy(() -> with("0").integer("k", "K", "5", 1, 10))
                .isInstanceOf(InvalidSettingException.class).hasMessage("K (k) must be in [1, 10], but was 0");
        assertThatThrownBy(() -> with("11").integer("k", "K", "5", 1, 10)).isInstanceOf(InvalidSettingException.class);
        assertThatThrownBy(() -> with("1.5").integer("k", "K", "5", 1, 10))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("whole number");
    }

    @Test
    void shouldReadTrueAndFalseInAnyCaseAndNothingElse() {
        assertThat(with("TRUE").bool("k", "K", "false")).isTrue();
        assertThat(with("False").bool("k", "K", "true")).isFalse();
        assertThat(new Setting(Map.<String, String>of()::get, env -> null).bool("k", "K", "true")).isTrue();
        assertThatThrownBy(() -> with("yes").bool("k", "K", "false"))
                .isInstanceOf(InvalidSettingException.class).hasMessage("K (k) must be true or false, but was 'yes'");
    }

    @Test
    void shouldTakeADurationOfOneMillisecondUpToItsMaximum() {
        // 1 ms is 1/60000 of a minute; 0.0000167 minutes is just over it
        assertThat(with("0.0000167").minutes("k", "K", "1", TEN)).isEqualTo(Duration.ofMillis(1));
        assertThat(with("10").minutes("k", "K", "1", TEN)).isEqualTo(Duration.ofMinutes(10));
        assertThatThrownBy(() -> with("0.0000166").minutes("k", "K", "1", TEN))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("must be at least 1 ms");
        assertThatThrownBy(() -> with("0").minutes("k", "K", "1", TEN)).isInstanceOf(InvalidSettingException.class);
        assertThatThrownBy(() -> with("10.5").minutes("k", "K", "1", TEN)).isInstanceOf(InvalidSettingException.class);
    }

    @Test
    void shouldTakeEveryPortAndZeroForAnyFreeOne() {
        assertThat(with("0").port("k", "K", "9876")).isZero();
        assertThat(with("65535").port("k", "K", "9876")).isEqualTo(65535);
        assertThat(with("1").port("k", "K", "9876")).isEqualTo(1);
        for (String bad : new String[]{"65536", "-1", "http"}) {
            assertThatThrownBy(() -> with(bad).port("k", "K", "9876")).as(bad)
                    .isInstanceOf(InvalidSettingException.class).hasMessageContaining("must be a port in 1-65535");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1", "0.0.0.0", "engine-1.internal", "::1", "[::1]", "fe80::1%eth0"})
    void shouldTakeHostNamesAndAddressesAsWritten(String host) {
        assertThat(with(host).host("k", "K", "127.0.0.1")).isEqualTo(host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad host", "-engine", "engine-", "http://127.0.0.1", "1:2:3:4:5:6:7:8:9", "[::1"})
    void shouldRefuseWhatIsNoHost(String host) {
        assertThatThrownBy(() -> with(host).host("k", "K", "127.0.0.1")).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("must be a host name or an IP address");
    }

    @Test
    void shouldTakeAnHttpUrlWithoutItsTrailingSlash() {
        assertThat(with("http://127.0.0.1:8090/").httpUrl("k", "K", false)).isEqualTo("http://127.0.0.1:8090");
        assertThat(with("HTTPS://venue.example:65535").httpUrl("k", "K", false)).isEqualTo("HTTPS://venue.example:65535");
        assertThat(with("http://venue.example/api").httpUrl("k", "K", false)).isEqualTo("http://venue.example/api");
        assertThat(new Setting(Map.<String, String>of()::get, env -> null).httpUrl("k", "K", true)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://venue.example", "venue.example:8090", "http://:8090", "http://venue.example:0",
            "http://venue.example:65536", "http://venue.example:", "http://a b"})
    void shouldRefuseWhatIsNoHttpUrl(String url) {
        assertThatThrownBy(() -> with(url).httpUrl("k", "K", false)).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("K (k) must be an http:// or https:// URL with a host");
    }

    @Test
    void shouldRefuseAUrlWithCredentialsWithoutShowingThem() {
        assertThatThrownBy(() -> with("http://operator:hunter22@venue.example:8090").httpUrl("k", "K", false))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("must be an http:// or https:// URL")
                .hasMessageContaining("venue.example:8090").hasMessageNotContaining("hunter22");
        assertThatThrownBy(() -> new Setting(Map.<String, String>of()::get, env -> null).httpUrl("k", "K", false))
                .isInstanceOf(InvalidSettingException.class).hasMessageEndingWith("but was ''");
    }

    @Test
    void shouldTakeTheThreeStoresAndRefuseAnInMemorySqliteFile() {
        assertThat(with("memory").storeUrl("k", "K", "memory")).isEqualTo("memory");
        assertThat(with("jdbc:sqlite:data/copytrader.db").storeUrl("k", "K", "memory")).isEqualTo("jdbc:sqlite:data/copytrader.db");
        assertThat(with("jdbc:sqlite:x").storeUrl("k", "K", "memory")).isEqualTo("jdbc:sqlite:x");
        assertThat(with("jdbc:postgresql://db:5432/copytrader?user=ct").storeUrl("k", "K", "memory"))
                .isEqualTo("jdbc:postgresql://db:5432/copytrader?user=ct");
        for (String bad : new String[]{"jdbc:sqlite:", "jdbc:sqlite::memory:", "jdbc:sqlite:file:x?mode=memory",
                "jdbc:postgresql://db:5432/", "jdbc:mysql://db/copytrader"}) {
            assertThatThrownBy(() -> with(bad).storeUrl("k", "K", "memory")).as(bad)
                    .isInstanceOf(InvalidSettingException.class).hasMessageContaining("must be memory, jdbc:sqlite:FILE");
        }
        assertThatThrownBy(() -> with("jdbc:postgres://db/copytrader?user=ct&password=hunter22").storeUrl("k", "K", "memory"))
                .isInstanceOf(InvalidSettingException.class).hasMessageNotContaining("hunter22");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://operator:hun/ter22@venue.example:8090", "http://operator:hun#ter22@venue.example:8090",
            "http://operator:hun?ter22@venue.example:8090", "http://operator:hun@ter22@venue.example:8090",
            "operator:hunter22@venue.example:8090", "ftp://operator:hunter22@venue.example:8090"})
    void shouldNotShowAPasswordHoldingAUrlsSeparatorsOrAUrlWithoutItsScheme(String url) {
        assertThatThrownBy(() -> with(url).httpUrl("k", "K", false)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("***@venue.example:8090").hasMessageNotContaining("ter22")
                .hasMessageNotContaining("operator");
    }

    @Test
    void shouldRefuseAStoreUrlWithAUserAndPasswordBeforeTheHostWithoutShowingThem() {
        for (String url : new String[]{"jdbc:postgresql://ct:hunter22@db:5432/copytrader",
                "jdbc:postgres://ct:hunter22@db/copytrader", "postgresql://ct:hun/ter22@db/copytrader"}) {
            assertThatThrownBy(() -> with(url).storeUrl("k", "K", "memory")).as(url)
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageContaining("(the user and password in STORE_USER and STORE_PASSWORD)")
                    .hasMessageContaining("***@db").hasMessageNotContaining("ter22");
        }
        assertThatThrownBy(() -> with("jdbc:postgres://db/ct?user=ct&password=hun@ter22").storeUrl("k", "K", "memory"))
                .isInstanceOf(InvalidSettingException.class).hasMessageEndingWith("but was 'jdbc:postgres://db/ct?user=ct&password=****'");
    }

    @Test
    void shouldShowARefusedUrlWithEverythingBeforeItsLastAtMaskedAndTheRestAsWritten() {
        assertThat(Setting.withoutUserInfo("ftp://operator:hun/ter@venue.example:8090/a")).isEqualTo("ftp://***@venue.example:8090/a");
        assertThat(Setting.withoutUserInfo("operator:hunter22@venue.example")).isEqualTo("***@venue.example");
        assertThat(Setting.withoutUserInfo("//operator:hunter22@venue.example")).isEqualTo("//***@venue.example");
        assertThat(Setting.withoutUserInfo("op@x//venue.example")).as("no // before the @").isEqualTo("***@x//venue.example");
        assertThat(Setting.withoutUserInfo("ftp://venue.example:8090")).isEqualTo("ftp://venue.example:8090");
    }

    @Test
    void shouldShowAVeryLongRefusedValueByItsStartAndLength() {
        String hundred = "x".repeat(100);
        assertThatThrownBy(() -> with(hundred).bool("k", "K", "true")).isInstanceOf(InvalidSettingException.class)
                .hasMessage("K (k) must be true or false, but was '" + hundred + "'");
        String huge = "1" + "0".repeat(100_000);
        assertThatThrownBy(() -> with(huge).decimal("k", "K", "5", ONE, true, TEN, true)).isInstanceOf(InvalidSettingException.class)
                .hasMessage("K (k) must be in [1, 10], but was 1" + "0".repeat(39) + "... (100001 characters)");
        assertThatThrownBy(() -> with(huge).integer("k", "K", "5", 1, 10)).isInstanceOf(InvalidSettingException.class)
                .hasMessage("K (k) must be a whole number in [1, 10], but was '1" + "0".repeat(39) + "... (100001 characters)'");
        assertThatThrownBy(() -> with("0." + "5".repeat(50_000)).decimal("k", "K", "5", ONE, true, TEN, true))
                .isInstanceOf(InvalidSettingException.class).hasMessageEndingWith("... (50002 characters)'");
        String emoji = "\uD83D\uDE00".repeat(101); // characters, not chars, counted and cut
        assertThatThrownBy(() -> with(emoji).bool("k", "K", "true")).isInstanceOf(InvalidSettingException.class)
                .hasMessage("K (k) must be true or false, but was '" + "\uD83D\uDE00".repeat(40) + "... (101 characters)'");
    }
}

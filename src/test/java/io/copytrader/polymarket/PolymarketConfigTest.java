package io.copytrader.polymarket;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolymarketConfigTest {
    static final String TARGET = "0x56687bf447db6ffa42ffe2204a05edaa20f55839";

    static PolymarketConfig from(Map<String, String> values) {
        Map<String, String> env = new HashMap<>(Map.of("VENUE", "polymarket", "TARGET_TRADERS", TARGET,
                "POLY_PRIVATE_KEY", KnownAnswerTest.TEST_KEY));
        env.putAll(values);
        return PolymarketConfig.from(env::get);
    }

    @Test
    void shouldApplyTheDefaultsForAnEoaSigner() {
        PolymarketConfig c = from(Map.of());
        assertThat(c.dryRun()).isFalse();
        assertThat(c.signatureType()).isEqualTo(SignatureType.EOA);
        assertThat(c.funder()).isEqualTo(KnownAnswerTest.TEST_ADDRESS);
        assertThat(c.clobUrl()).isEqualTo("https://clob.polymarket.com");
        assertThat(c.dataApiUrl()).isEqualTo("https://data-api.polymarket.com");
        assertThat(c.orderType()).isEqualTo("FOK");
        assertThat(c.maxSlippage()).isEqualByComparingTo("0.02");
        assertThat(c.feedPageSize()).isEqualTo(500);
        assertThat(c.feedOverlap()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.feedApi()).as("the route run against the live Data API").isEqualTo(FeedApi.V1);
        assertThat(c.credentials().hasApiCredentials()).isFalse(); // derived through L1 at start
    }

    @Test
    void shouldChooseTheFeedRouteAndRefuseAnUnknownOne() {
        assertThat(from(Map.of("POLY_FEED_API", "v2")).feedApi()).isEqualTo(FeedApi.V2);
        assertThat(from(Map.of("copytrader.polymarket.feed-api", " V2 ")).feedApi()).isEqualTo(FeedApi.V2);
        assertThat(from(Map.of("POLY_FEED_API", "v1")).feedApi()).isEqualTo(FeedApi.V1);
        assertThatThrownBy(() -> from(Map.of("POLY_FEED_API", "v3")))
                .hasMessageContaining("POLY_FEED_API must be v1 (GET /activity) or v2 (GET /v2/activity), but was 'v3'");
    }

    @Test
    void shouldPreferThePropertyKeyOverTheEnvironmentName() {
        PolymarketConfig c = from(Map.of("copytrader.polymarket.order-type", "fak", "POLY_ORDER_TYPE", "FOK",
                "copytrader.feed.traders", TARGET + ", 0x" + "A".repeat(40)));
        assertThat(c.orderType()).isEqualTo("FAK");
        assertThat(c.targetTraders()).hasSize(2);
        assertThat(c.targetTraders().get(1).value()).isEqualTo("0x" + "a".repeat(40));
    }

    @Test
    void shouldNameTheVariableAndTheAllowedValues() {
        assertThatThrownBy(() -> from(Map.of("POLY_SIGNATURE_TYPE", "7")))
                .hasMessageContaining("POLY_SIGNATURE_TYPE must be 0, 1 or 2").hasMessageContaining("but was '7'");
        assertThatThrownBy(() -> from(Map.of("POLY_SIGNATURE_TYPE", "2")))
                .hasMessageContaining("POLY_FUNDER is required with POLY_SIGNATURE_TYPE=2");
        assertThatThrownBy(() -> from(Map.of("MAX_SLIPPAGE", "0.9")))
                .hasMessageContaining("MAX_SLIPPAGE must be in [0, 0.5], but was 0.9");
        assertThatThrownBy(() -> from(Map.of("POLY_ORDER_TYPE", "GTC")))
                .hasMessageContaining("POLY_ORDER_TYPE must be FOK or FAK");
        assertThatThrownBy(() -> from(Map.of("POLY_API_KEY", "k")))
                .hasMessageContaining("must be set together").hasMessageContaining("1 of 3");
        assertThatThrownBy(() -> from(Map.of("TARGET_TRADERS", "")))
                .hasMessageContaining("TARGET_TRADERS must list at least one");
        assertThatThrownBy(() -> from(Map.of("EXCHANGE", "binance")))
                .hasMessageContaining("EXCHANGE must be polymarket or paper");
        assertThatThrownBy(() -> from(Map.of("POLY_FEED_PAGE_SIZE", "1000")))
                .hasMessageContaining("POLY_FEED_PAGE_SIZE must be in [1, 500], but was 1000");
        assertThatThrownBy(() -> from(Map.of("POLY_FUNDER", "0x" + "3".repeat(40))))
                .hasMessageContaining("POLY_FUNDER must be empty or the signer address");
    }

    @Test
    void shouldReportEveryProblemAtOnce() {
        assertThatThrownBy(() -> from(Map.of("POLY_SIGNATURE_TYPE", "9", "POLY_ORDER_TYPE", "GTC")))
                .hasMessageContaining("POLY_SIGNATURE_TYPE").hasMessageContaining("POLY_ORDER_TYPE");
    }

    @Test
    void shouldRunADryRunOnTheLiveFeedWithoutAnySecret() {
        PolymarketConfig c = from(Map.of("EXCHANGE", "paper", "POLY_PRIVATE_KEY", ""));
        assertThat(c.dryRun()).isTrue();
        assertThat(c.credentials()).isNull();
        assertThat(PolymarketVenue.feed(c, java.time.Clock.systemUTC()).name()).isEqualTo("polymarket");
        assertThatThrownBy(() -> PolymarketVenue.exchange(c, call -> {
            throw new AssertionError("no call expected");
        }, java.time.Clock.systemUTC())).hasMessageContaining("dry run");
        assertThatThrownBy(() -> from(Map.of("POLY_PRIVATE_KEY", "")))
                .hasMessageContaining("POLY_PRIVATE_KEY is required with EXCHANGE=polymarket");
    }
}

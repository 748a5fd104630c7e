package io.copytrader.config;

import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.TraderId;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TargetSettingsTest {
    private final Map<String, String> props = new HashMap<>(Map.of("copytrader.feed.traders", "alice,Bob",
            "copytrader.copy.ratio", "0.01", "copytrader.filter.markets.deny", "tok-9"));

    private Map<TraderId, TargetSettings> load() {
        CopyTraderSettings globals = CopyTraderSettings.load(props::get);
        return TargetSettings.load(globals, props::get, props.keySet());
    }

    @Test
    void shouldTakeEachTargetsOwnValuesAndTheGlobalsForTheRest() {
        props.put("copytrader.targets.bob.ratio", "0.5");
        props.put("copytrader.targets.bob.markets.allow", "tok-1*, tok-22");
        props.put("copytrader.targets.alice.min-trade-usd", "3");

        Map<TraderId, TargetSettings> t = load();

        TargetSettings alice = t.get(new TraderId("alice"));
        TargetSettings bob = t.get(new TraderId("Bob"));
        assertThat(alice.ratio()).isEqualByComparingTo("0.01");
        assertThat(alice.minTradeUsd()).isEqualByComparingTo("3");
        assertThat(alice.maxPositionUsd()).isEqualByComparingTo("10");
        assertThat(alice.allows(new InstrumentId("tok-5"))).isTrue();
        assertThat(alice.allows(new InstrumentId("tok-9"))).as("global deny").isFalse();
        assertThat(bob.ratio()).isEqualByComparingTo(new BigDecimal("0.5"));
        assertThat(bob.minTradeUsd()).isEqualByComparingTo("0.5");
        assertThat(bob.allows(new InstrumentId("tok-13"))).isTrue();
        assertThat(bob.allows(new InstrumentId("tok-22"))).isTrue();
        assertThat(bob.allows(new InstrumentId("tok-2"))).isFalse();
    }

    @Test
    void shouldRefuseABadValueNamingTheKey() {
        props.put("copytrader.targets.alice.ratio", "-1");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessage("copytrader.targets.alice.ratio must be in (0, 100], but was -1");
    }

    @Test
    void shouldRefuseATargetThatIsNotFollowedAndAMisspelledSetting() {
        props.put("copytrader.targets.carol.ratio", "1");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessage("copytrader.targets.carol.ratio sets target 'carol', which is not in TARGET_TRADERS (alice, Bob)");
        props.remove("copytrader.targets.carol.ratio");
        props.put("copytrader.targets.alice.ratoi", "1");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("copytrader.targets.alice.ratoi is not a per-target setting");
        props.remove("copytrader.targets.alice.ratoi");
        props.put("copytrader.targets.alice.markets.deny", "tok*-1");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("copytrader.targets.alice.markets.deny holds 'tok*-1'");
    }

    @Test
    void shouldRefuseAStarThatIsNotOneAtTheEndOfAPrefix() {
        for (String bad : new String[]{"*", "tok**", "*tok", "t*k"}) {
            props.put("copytrader.targets.alice.markets.allow", "tok-1, " + bad);
            assertThatThrownBy(this::load).as(bad).isInstanceOf(InvalidSettingException.class)
                    .hasMessage("copytrader.targets.alice.markets.allow holds '" + bad + "': an entry is an instrument id,"
                            + " or a prefix followed by one '*' at its end");
        }
        props.put("copytrader.targets.alice", "1");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("copytrader.targets.alice is not a per-target setting");
    }

    @Test
    void shouldDescribeATargetAsStatusShowsIt() {
        props.put("copytrader.targets.BOB.markets.allow", "tok-1*");
        props.put("copytrader.targets.BOB.max-position-usd", "25");
        Map<TraderId, TargetSettings> t = load();
        assertThat(t.get(new TraderId("Bob")).describe())
                .isEqualTo("ratio 0.01, max position $25, min trade $0.5, markets allow [tok-1*], deny [tok-9]");
        props.remove("copytrader.filter.markets.deny");
        assertThat(load().get(new TraderId("alice")).describe())
                .isEqualTo("ratio 0.01, max position $10, min trade $0.5, markets allow all, deny none");
    }

    @Test
    void shouldRefuseATargetsMarketListSetToNothingRatherThanCrashOrWidenIt() {
        props.put("copytrader.filter.markets.allow", "tok-1*");
        props.put("copytrader.targets.alice.markets.allow", " ");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessage("copytrader.targets.alice.markets.allow must not be empty, but was ''; unset it to take MARKETS_ALLOW");
        // only commas: an empty allow list would let alice's trades in every market through, past the global list
        props.put("copytrader.targets.alice.markets.allow", " , ,");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessage("copytrader.targets.alice.markets.allow must name at least one instrument, but was ', ,'; "
                        + "unset it to take MARKETS_ALLOW");
        props.remove("copytrader.targets.alice.markets.allow");
        props.put("copytrader.targets.alice.markets.deny", "");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessage("copytrader.targets.alice.markets.deny must not be empty, but was ''; unset it to take MARKETS_DENY");
        props.remove("copytrader.targets.alice.markets.deny");
        assertThat(load().get(new TraderId("alice")).marketsAllow()).containsExactly("tok-1*");
    }

    @Test
    void shouldRefuseATargetWrittenTwoWaysRatherThanIgnoreTheSettingsOfOneSpelling() {
        props.put("copytrader.copy.max-position-size-usd", "100");
        props.put("copytrader.targets.Bob.ratio", "0.5");
        props.put("copytrader.targets.BOB.max-position-usd", "5");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessage("copytrader.targets.Bob.ratio and copytrader.targets.BOB.max-position-usd write target 'Bob'"
                        + " two ways; write all the settings of a target the same way");
        props.remove("copytrader.targets.BOB.max-position-usd");
        props.put("copytrader.targets.Bob.max-position-usd", "5");
        TargetSettings bob = load().get(new TraderId("Bob"));
        assertThat(bob.ratio()).isEqualByComparingTo("0.5");
        assertThat(bob.maxPositionUsd()).isEqualByComparingTo("5");
    }

    @Test
    void shouldRefuseATargetsDecimalWithMoreThanEighteenPlaces() {
        props.put("copytrader.targets.alice.ratio", "5e-1000000");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessage("copytrader.targets.alice.ratio must be a number in (0, 100] with at most 18 decimal places,"
                        + " but was '5e-1000000'");
    }

    @Test
    void shouldTakeAOneCharacterInstrumentAndRefuseAnInvalidOneNamingTheKey() {
        props.put("copytrader.targets.alice.markets.allow", "7, tok-1*");
        TargetSettings alice = load().get(new TraderId("alice"));
        assertThat(alice.marketsAllow()).containsExactly("7", "tok-1*");
        assertThat(alice.allows(new InstrumentId("7"))).isTrue();
        assertThat(alice.allows(new InstrumentId("70"))).isFalse();
        props.put("copytrader.targets.alice.markets.allow", "tok\u00e91");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("copytrader.targets.alice.markets.allow holds an invalid instrument: InstrumentId must be");
    }

    @Test
    void shouldRefuseAKeyWithoutATargetName() {
        props.put("copytrader.targets..ratio", "1");
        assertThatThrownBy(this::load).isInstanceOf(InvalidSettingException.class)
                .hasMessage("copytrader.targets..ratio sets target '', which is not in TARGET_TRADERS (alice, Bob)");
    }
}

package io.copytrader.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SELL_SIZING and SELL_BELOW_MINIMUM: the documented defaults, each value in any case, and nothing else. */
class SellSettingsTest {

    static SellSettings load(Map<String, String> properties) {
        return SellSettings.load(properties::get);
    }

    @Test
    void shouldSellProportionallyAndEverythingBelowTheMinimumByDefault() {
        assertThat(load(Map.of())).isEqualTo(SellSettings.DEFAULT)
                .isEqualTo(new SellSettings(SellSettings.Sizing.PROPORTIONAL, true));
    }

    @Test
    void shouldReadEachValueInAnyCase() {
        SellSettings s = load(Map.of("copytrader.copy.sell-sizing", "RATIO", "copytrader.copy.sell-below-minimum", " None "));
        assertThat(s.sizing()).isEqualTo(SellSettings.Sizing.RATIO);
        assertThat(s.sellAllBelowMinimum()).isFalse();
        assertThat(load(Map.of("copytrader.copy.sell-below-minimum", "ALL")).sellAllBelowMinimum()).isTrue();
    }

    @Test
    void shouldRefuseAnythingElseNamingTheVariable() {
        assertThatThrownBy(() -> load(Map.of("copytrader.copy.sell-sizing", "proportionally")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SELL_SIZING (copytrader.copy.sell-sizing) must be one of proportional, ratio, but was 'proportionally'");
        assertThatThrownBy(() -> load(Map.of("copytrader.copy.sell-below-minimum", "")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("SELL_BELOW_MINIMUM (copytrader.copy.sell-below-minimum) must not be empty, but was ''; "
                        + "unset it for the default all");
    }
}

package io.copytrader.engine;

import io.copytrader.config.CopyTraderSettings;
import io.copytrader.config.TargetSettings;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static io.copytrader.engine.Trades.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/** The rules are the settings of the same names: six numbers of one type, where a swap would still compile. */
class SizingRulesTest {
    final SizingRules fromSettings = SizingRules.from(CopyTraderSettings.load(Map.of(
            "copytrader.copy.ratio", "0.25",
            "copytrader.copy.max-position-size-usd", "40",
            "copytrader.copy.max-portfolio-exposure", "0.7",
            "copytrader.copy.max-slippage", "0.03",
            "copytrader.copy.min-order-size-usd", "2",
            "copytrader.copy.quantity-scale", "3")::get));

    @Test
    void shouldTakeEachSizingSettingByItsName() {
        assertThat(fromSettings.copyRatio()).isEqualByComparingTo("0.25");
        assertThat(fromSettings.maxPositionUsd()).isEqualByComparingTo("40");
        assertThat(fromSettings.maxPortfolioExposure()).isEqualByComparingTo("0.7");
        assertThat(fromSettings.maxSlippage()).isEqualByComparingTo("0.03");
        assertThat(fromSettings.minOrderUsd()).isEqualByComparingTo("2");
        assertThat(fromSettings.quantityScale()).isEqualTo(3);
    }

    @Test
    void shouldTakeATargetsRatioAndPositionCapAndKeepTheRest() {
        SizingRules alice = fromSettings.forTarget(new TargetSettings(ALICE, new BigDecimal("0.5"), new BigDecimal("15"),
                BigDecimal.ONE, List.of(), List.of()));

        // exposure, slippage, minimum order, scale and sells stay global
        assertThat(alice).isEqualTo(new SizingRules(new BigDecimal("0.5"), new BigDecimal("15"),
                fromSettings.maxPortfolioExposure(), fromSettings.maxSlippage(), fromSettings.minOrderUsd(),
                fromSettings.quantityScale(), fromSettings.sells()));
    }
}

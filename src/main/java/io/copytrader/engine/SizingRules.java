package io.copytrader.engine;

import io.copytrader.config.CopyTraderSettings;
import io.copytrader.config.SellSettings;
import io.copytrader.config.TargetSettings;

import java.math.BigDecimal;

/**
 * The numbers sizing and risk work with (COPY_RATIO, MAX_POSITION_SIZE_USD, MAX_PORTFOLIO_EXPOSURE, slippage cap,
 * the smallest order worth placing and the quantity precision).
 */
public record SizingRules(BigDecimal copyRatio, BigDecimal maxPositionUsd, BigDecimal maxPortfolioExposure,
                          BigDecimal maxSlippage, BigDecimal minOrderUsd, int quantityScale, SellSettings sells) {

    public SizingRules(BigDecimal copyRatio, BigDecimal maxPositionUsd, BigDecimal maxPortfolioExposure,
                       BigDecimal maxSlippage, BigDecimal minOrderUsd, int quantityScale) {
        this(copyRatio, maxPositionUsd, maxPortfolioExposure, maxSlippage, minOrderUsd, quantityScale, SellSettings.DEFAULT);
    }

    /** The same rules with sells sized as given. */
    public SizingRules withSells(SellSettings value) {
        return new SizingRules(copyRatio, maxPositionUsd, maxPortfolioExposure, maxSlippage, minOrderUsd, quantityScale, value);
    }

    public static SizingRules from(CopyTraderSettings s) {
        return new SizingRules(s.copyRatio(), s.maxPositionSizeUsd(), s.maxPortfolioExposure(), s.maxSlippage(),
                s.minOrderSizeUsd(), s.quantityScale());
    }

    /** The rules for one target: its own ratio and position cap, the rest global. */
    public SizingRules forTarget(TargetSettings target) {
        return new SizingRules(target.ratio(), target.maxPositionUsd(), maxPortfolioExposure, maxSlippage, minOrderUsd,
                quantityScale, sells);
    }
}

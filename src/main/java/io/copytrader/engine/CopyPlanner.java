package io.copytrader.engine;

import io.copytrader.config.TargetSettings;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

/** Sizing and risk for the copy-trade route: a {@link CopyIntent}, or null with the skip recorded. */
public final class CopyPlanner {
    private final SizingRules rules;
    private final Map<TraderId, SizingRules> byTarget;
    private final Portfolio portfolio;
    private final TradeLedger ledger;

    public CopyPlanner(SizingRules rules, Portfolio portfolio, TradeLedger ledger) {
        this(rules, Map.of(), portfolio, ledger);
    }

    /** @param targets per-target ratio and position cap; a trader not in it gets the global rules */
    public CopyPlanner(SizingRules rules, Map<TraderId, TargetSettings> targets, Portfolio portfolio, TradeLedger ledger) {
        this.rules = rules;
        Map<TraderId, SizingRules> m = new HashMap<>();
        targets.forEach((trader, target) -> m.put(trader, rules.forTarget(target)));
        this.byTarget = Map.copyOf(m);
        this.portfolio = portfolio;
        this.ledger = ledger;
    }

    public CopyIntent plan(DetectedTrade trade) {
        return plan(trade, null);
    }

    /**
     * Whether a sell may go while orders of its instrument are out (see {@link Portfolio#sellGoesNow}); false for a buy.
     */
    public boolean sellGoesNow(DetectedTrade trade, BigDecimal targetPositionBefore) {
        return portfolio.sellGoesNow(trade, byTarget.getOrDefault(trade.trader(), rules), targetPositionBefore);
    }

    /**
     * @param targetPositionBefore what the target held of the instrument before this trade (see
     *                             {@link TargetPositions}), null when unknown (a recovered or replayed trade)
     */
    public CopyIntent plan(DetectedTrade trade, BigDecimal targetPositionBefore) {
        Sizing.Decision d = portfolio.planAndReserve(trade, byTarget.getOrDefault(trade.trader(), rules), targetPositionBefore);
        if (d.isSkip()) {
            ledger.finish(trade, TradeOutcome.SKIPPED, d.skipReason(), null);
            return null;
        }
        return new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(), d.limitPrice(),
                d.quantity(), d.notional());
    }
}

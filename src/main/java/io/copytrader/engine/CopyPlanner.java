package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TradeOutcome;

/** Sizing and risk for the copy-trade route: a {@link CopyIntent}, or null with the skip recorded. */
public final class CopyPlanner {
    private final SizingRules rules;
    private final Portfolio portfolio;
    private final TradeLedger ledger;

    public CopyPlanner(SizingRules rules, Portfolio portfolio, TradeLedger ledger) {
        this.rules = rules;
        this.portfolio = portfolio;
        this.ledger = ledger;
    }

    public CopyIntent plan(DetectedTrade trade) {
        Sizing.Decision d = portfolio.planAndReserve(trade, rules);
        if (d.isSkip()) {
            ledger.finish(trade, TradeOutcome.SKIPPED, d.skipReason(), null);
            return null;
        }
        return new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(), d.limitPrice(),
                d.quantity(), d.notional());
    }
}

package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;

import java.math.BigDecimal;
import java.time.Instant;

/** Named fixtures for the engine's unit tests: target trades and the intents the planner would build from them. */
final class Trades {
    static final TraderId ALICE = new TraderId("alice");
    static final InstrumentId YES_TOKEN = new InstrumentId("tok-yes");
    static final InstrumentId NO_TOKEN = new InstrumentId("tok-no");
    /** When every fixture trade happened, unless a test says otherwise. */
    static final Instant T0 = Instant.parse("2026-11-24T12:00:00Z");

    private Trades() {
    }

    static DetectedTrade trade(String sourceTradeId, InstrumentId instrument, Side side, String price, String quantity,
                               Instant tsEvent) {
        BigDecimal px = new BigDecimal(price);
        BigDecimal qty = new BigDecimal(quantity);
        return new DetectedTrade(new SourceTradeId(sourceTradeId), ALICE, instrument, "Yes", side, px, qty,
                Decimals.notional(px, qty), tsEvent, tsEvent);
    }

    static DetectedTrade buy(String sourceTradeId, String price, String quantity) {
        return trade(sourceTradeId, YES_TOKEN, Side.BUY, price, quantity, T0);
    }

    static DetectedTrade sell(String sourceTradeId, String price, String quantity) {
        return trade(sourceTradeId, YES_TOKEN, Side.SELL, price, quantity, T0);
    }

    /** The intent {@link CopyPlanner} builds from a placed decision. */
    static CopyIntent intent(DetectedTrade trade, Sizing.Decision decision) {
        if (decision.isSkip()) {
            throw new IllegalArgumentException("decision was a skip: " + decision.skipReason());
        }
        return new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(), decision.limitPrice(),
                decision.quantity(), decision.notional());
    }

    static BigDecimal usd(String text) {
        return new BigDecimal(text);
    }
}

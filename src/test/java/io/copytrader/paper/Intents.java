package io.copytrader.paper;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;

import java.math.BigDecimal;
import java.time.Instant;

/** Named fixtures: copy intents as the engine would build them. */
final class Intents {
    private Intents() {
    }

    static CopyIntent intent(String sourceTradeId, String instrument, Side side, String price, String quantity) {
        TraderId trader = new TraderId("alice");
        BigDecimal px = new BigDecimal(price);
        BigDecimal qty = new BigDecimal(quantity);
        DetectedTrade source = new DetectedTrade(new SourceTradeId(sourceTradeId), trader, new InstrumentId(instrument),
                "YES", side, px, qty, Decimals.notional(px, qty), Instant.EPOCH, Instant.EPOCH);
        return new CopyIntent(ClientOrderId.of(trader, source.sourceTradeId()), source, new InstrumentId(instrument),
                side, px, qty, Decimals.notional(px, qty));
    }

    static CopyIntent buy(String sourceTradeId, String price, String quantity) {
        return intent(sourceTradeId, "tok-7", Side.BUY, price, quantity);
    }

    static CopyIntent sell(String sourceTradeId, String price, String quantity) {
        return intent(sourceTradeId, "tok-7", Side.SELL, price, quantity);
    }
}

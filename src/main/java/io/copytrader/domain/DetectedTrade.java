package io.copytrader.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One fill of a target trader, as we detected it. Immutable; every later stage derives a new record from it, so a
 * dead letter still shows what came in.
 *
 * @param outcome  the outcome the instrument stands for ("Yes", "No", ...), informational; may be null
 * @param notional price * quantity at USD scale
 * @param tsEvent  when the venue says the fill happened
 * @param tsInit   when we saw it
 */
public record DetectedTrade(SourceTradeId sourceTradeId, TraderId trader, InstrumentId instrument, String outcome,
                            Side side, BigDecimal price, BigDecimal quantity, BigDecimal notional,
                            Instant tsEvent, Instant tsInit) {
    public DetectedTrade {
        Objects.requireNonNull(sourceTradeId, "sourceTradeId");
        Objects.requireNonNull(trader, "trader");
        Objects.requireNonNull(instrument, "instrument");
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(price, "price");
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(notional, "notional");
        Objects.requireNonNull(tsEvent, "tsEvent");
        Objects.requireNonNull(tsInit, "tsInit");
    }

    /** The dedup key: one trader's one source trade. */
    public String key() {
        return trader.value() + ":" + sourceTradeId.value();
    }

    /** The id our copy of this trade carries at the venue. */
    public ClientOrderId clientOrderId() {
        return ClientOrderId.of(trader, sourceTradeId);
    }

    /**
     * The ordering key: trades with the same key are sized and placed one at a time, in detection order; trades with
     * different keys run concurrently. It is the instrument (token id), since our account holds one position per
     * instrument whichever target we copy. Anything that partitions or sequences trades uses this one method.
     */
    public String orderingKey() {
        return instrument.value();
    }
}

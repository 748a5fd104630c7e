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
 * @param sourceOrder the target's order (or transaction) this fill belongs to, when the venue says: one order that
 *                    sweeps the book is several fills with the same source order (the paper venue's order id, the
 *                    Polymarket transaction hash); null when unknown. Fills of one source order, instrument and side
 *                    are copied as one order (docs/aggregation.md)
 */
public record DetectedTrade(SourceTradeId sourceTradeId, TraderId trader, InstrumentId instrument, String outcome,
                            Side side, BigDecimal price, BigDecimal quantity, BigDecimal notional,
                            Instant tsEvent, Instant tsInit, String sourceOrder) {
    /** A fill whose source order is unknown. */
    public DetectedTrade(SourceTradeId sourceTradeId, TraderId trader, InstrumentId instrument, String outcome,
                         Side side, BigDecimal price, BigDecimal quantity, BigDecimal notional,
                         Instant tsEvent, Instant tsInit) {
        this(sourceTradeId, trader, instrument, outcome, side, price, quantity, notional, tsEvent, tsInit, null);
    }

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
        if (sourceOrder != null) {
            sourceOrder = sourceOrder.isBlank() ? null : Ids.require("sourceOrder", sourceOrder);
        }
    }

    /**
     * The aggregation key: fills with the same key (one target's one source order, on one instrument and side) are
     * copied as one order when detected within the aggregation window. A fill whose source order is unknown has a
     * key of its own (its trade key).
     */
    public String aggregationKey() {
        return sourceOrder == null ? key()
                : trader.value() + "|" + sourceOrder + "|" + instrument.value() + "|" + side.name();
    }

    /** The same fill with its source order set. */
    public DetectedTrade withSourceOrder(String order) {
        return new DetectedTrade(sourceTradeId, trader, instrument, outcome, side, price, quantity, notional, tsEvent,
                tsInit, order);
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

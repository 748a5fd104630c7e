package io.copytrader.chain;

import io.copytrader.domain.DetectedTrade;

import java.math.BigDecimal;

/**
 * A target's fill read from an {@code OrderFilled} log (contract 2.8).
 *
 * @param trade     the fill as the engine copies it (source trade id shared with the Data API row of the same fill)
 * @param orderHash the target's order this log filled
 * @param aggressor true when the log's taker is the exchange itself: the target's order crossed the book
 * @param fee       the exchange fee of this fill in pUSD (on top for a BUY, deducted for a SELL)
 * @param log       where it was read; {@code removed} when a reorg took it out
 */
public record ChainFill(DetectedTrade trade, String orderHash, boolean aggressor, BigDecimal fee, ChainLog log) {

    /** The identity that survives a reorg: transaction hash and order hash (contract 2.8). */
    public String identity() {
        return log.txHash() + ":" + orderHash;
    }

    public boolean removed() {
        return log.removed();
    }
}

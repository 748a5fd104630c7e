package io.copytrader.polymarket;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * What the adapter knows about one outcome token when it prices an order: cached metadata plus the fresh book.
 *
 * @param minOrderSize the venue's minimum size in shares (from the book), or zero when not given
 */
record TokenMarket(BigDecimal tickSize, boolean negRisk, BigDecimal minOrderSize, Optional<BigDecimal> bestBid,
                   Optional<BigDecimal> bestAsk) {
}

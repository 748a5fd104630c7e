package io.copytrader.paper;

import io.copytrader.domain.Side;

import java.math.BigDecimal;
import java.util.Random;

/**
 * Draws one trader's fills from a seeded distribution: instruments tok-1..tok-N (N = 20 by default), outcome YES/NO, 70% buys, prices
 * strictly inside (0.01, 0.99) at 2 or 3 decimals, and notionals log-uniform between $0.10 and $3,000 (about one fill
 * in six is below $0.50). The n-th fill depends only on (seed, trader, n): each trader has its own {@link Random}
 * and callers take fills in seq order under the feed's lock. Not thread-safe by itself.
 */
final class TradeGenerator {
    private static final double MIN_NOTIONAL = 0.10;
    private static final double MAX_NOTIONAL = 3000.0;

    private final String trader;
    private final int instruments;
    private final Random random;

    TradeGenerator(long seed, String trader, int instruments) {
        this.trader = trader;
        this.instruments = instruments;
        this.random = new Random(seed ^ (trader.hashCode() * 0x9E3779B97F4A7C15L));
    }

    FeedFill next(long seq, long timestamp) {
        String instrument = "tok-" + (1 + random.nextInt(instruments));
        String outcome = random.nextBoolean() ? "YES" : "NO";
        Side side = random.nextDouble() < 0.7 ? Side.BUY : Side.SELL;
        BigDecimal price = random.nextBoolean()
                ? BigDecimal.valueOf(2 + random.nextInt(97), 2)     // 0.02 .. 0.98
                : BigDecimal.valueOf(11 + random.nextInt(979), 3);  // 0.011 .. 0.989
        // The draw is a sample, not money: the double only picks a size, which becomes an exact 2-decimal quantity.
        double notional = MIN_NOTIONAL * Math.exp(random.nextDouble() * Math.log(MAX_NOTIONAL / MIN_NOTIONAL));
        long hundredths = Math.max(1, Math.round(notional / price.doubleValue() * 100));
        return new FeedFill(seq, trader, instrument, outcome, side, price, BigDecimal.valueOf(hundredths, 2),
                timestamp, null, FeedFill.ownOrderId(trader, seq));
    }
}

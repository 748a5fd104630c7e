package io.copytrader.paper;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * One target trader's fills: emitted at a rate (or on demand) and kept in a ring of the last {@code retention}
 * fills. Emission and paging share one lock, so a page is a consistent cut: no gap, no repeat. A reader whose cursor
 * fell behind the ring gets the oldest fills still kept (the gap is the price of bounded memory). Thread-safe.
 */
final class TraderFeed {
    /** The most fills one tick may emit; a larger backlog (a clock jump) is dropped, not queued. */
    static final int MAX_PER_TICK = 100_000;

    private final String trader;
    private final TradeGenerator generator;
    private final FaultModel faults;
    private final Clock clock;
    private final FeedFill[] ring;
    private long lastSeq;
    private double rate;
    private double carry;
    private long lastTickMillis;

    TraderFeed(String trader, long seed, int instruments, double rate, int retention, FaultModel faults, Clock clock) {
        this.trader = trader;
        this.generator = new TradeGenerator(seed, trader, instruments);
        this.faults = faults;
        this.clock = clock;
        this.ring = new FeedFill[retention];
        this.lastTickMillis = clock.millis();
        setRate(rate);
    }

    /** A slice of the feed. */
    record Page(List<FeedFill> fills, boolean hasMore) {
    }

    synchronized void setRate(double tradesPerSecond) {
        if (!(tradesPerSecond >= 0) || Double.isInfinite(tradesPerSecond)) {
            throw new IllegalArgumentException("tradesPerSecond must be >= 0, but was " + tradesPerSecond);
        }
        this.rate = tradesPerSecond;
        this.carry = 0;
        this.lastTickMillis = clock.millis();
    }

    synchronized double rate() {
        return rate;
    }

    synchronized long lastSeq() {
        return lastSeq;
    }

    /** Emits {@code rate * elapsed} fills since the last tick, carrying the fraction. Returns how many. */
    synchronized int tick() {
        long now = clock.millis();
        long elapsed = Math.max(0, now - lastTickMillis);
        lastTickMillis = now;
        double due = rate * elapsed / 1000.0 + carry;
        long whole = (long) due;
        carry = due - whole;
        return emit((int) Math.min(whole, MAX_PER_TICK));
    }

    /**
     * Milliseconds until this trader's rate owes its next fill (0 when one is owed now), or Long.MAX_VALUE when it
     * is paused. Rounded up, and 1 ms more than the exact time, so a tick at that time finds the fill owed.
     */
    synchronized long millisToNextFill() {
        if (rate <= 0) {
            return Long.MAX_VALUE;
        }
        long owedAt = lastTickMillis + (long) Math.ceil((1 - carry) * 1000.0 / rate + 1e-6);
        return Math.max(0, owedAt - clock.millis());
    }

    /** Emits {@code count} fills now. */
    synchronized int emit(int count) {
        long timestamp = clock.millis();
        for (int i = 0; i < count; i++) {
            long seq = ++lastSeq;
            FeedFill fill = generator.next(seq, timestamp);
            FeedFill row = faults.onFeedRow().map(fill::spoiled).orElse(fill);
            ring[(int) ((seq - 1) % ring.length)] = row;
        }
        return count;
    }

    /**
     * Emits the given fills now, in this order, with consecutive seqs and one timestamp: a reader finds them
     * together (in one page when the page is large enough). A fill without an order id is an order of its own.
     * Returns the last seq.
     */
    synchronized long emitScripted(List<ScriptedFill> fills) {
        long timestamp = clock.millis();
        for (ScriptedFill f : fills) {
            long seq = ++lastSeq;
            ring[(int) ((seq - 1) % ring.length)] = new FeedFill(seq, trader, f.instrument(), f.outcome(), f.side(),
                    f.price(), f.quantity(), timestamp, null, f.orderId() == null ? FeedFill.ownOrderId(trader, seq) : f.orderId());
        }
        return lastSeq;
    }

    /** The fills with {@code seq > after}, oldest first, at most {@code limit}. */
    synchronized Page page(long after, int limit) {
        long oldest = Math.max(1, lastSeq - ring.length + 1);
        long from = Math.max(after + 1, oldest);
        long to = Math.min(lastSeq, from + limit - 1);
        List<FeedFill> fills = new ArrayList<>((int) Math.max(0, to - from + 1));
        for (long seq = from; seq <= to; seq++) {
            fills.add(ring[(int) ((seq - 1) % ring.length)]);
        }
        return new Page(fills, to < lastSeq);
    }
}

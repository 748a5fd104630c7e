package io.copytrader.ops.dashboard;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.TradeLedger;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last trades to reach an outcome, as the dashboard shows them, plus what they tell about the market: the last
 * price seen per instrument (the mark of our positions) and the detection lag per source. Fed by the ledger on the
 * thread that recorded the outcome, so it only appends to a ring buffer (no I/O); readers copy under the same lock.
 */
public final class TradeTape implements TradeLedger.OutcomeListener {
    /** One trade's end. {@code seq} grows by one per entry, so a reader asks for what came after the last it saw. */
    public record Entry(long seq, DetectedTrade trade, TradeOutcome outcome, Reason reason, Instant endedAt) {
        /** Detected to outcome recorded. */
        public Duration latency() {
            return Duration.between(trade.tsInit(), endedAt);
        }
    }

    private final Entry[] ring;
    private final Clock clock;
    private final String source;
    private final Map<InstrumentId, BigDecimal> marks = new ConcurrentHashMap<>();
    private final Map<String, LagWindow> lags = new ConcurrentHashMap<>();
    private long next = 1;

    /**
     * @param capacity how many recent entries are kept
     * @param source   the name of the detection source the trades come from (the feed: "paper", "polymarket")
     */
    public TradeTape(int capacity, Clock clock, String source) {
        this.ring = new Entry[capacity];
        this.clock = clock;
        this.source = source;
    }

    @Override
    public void onOutcome(DetectedTrade trade, TradeOutcome outcome, Reason reason) {
        Instant now = clock.instant();
        marks.put(trade.instrument(), trade.price());
        if (outcome != TradeOutcome.EXPIRED) { // an expired trade was seen by an earlier run: its lag says nothing now
            lags.computeIfAbsent(source, s -> new LagWindow(256))
                    .add(PipelineMetrics.lagNanos(trade.tsEvent(), trade.tsInit()));
        }
        synchronized (this) {
            long seq = next++;
            ring[(int) (seq % ring.length)] = new Entry(seq, trade, outcome, reason, now);
        }
    }

    /** Entries after {@code afterSeq}, oldest first, at most the ring's capacity. */
    public synchronized List<Entry> since(long afterSeq) {
        long first = Math.max(afterSeq + 1, Math.max(1, next - ring.length));
        List<Entry> out = new ArrayList<>((int) Math.max(0, next - first));
        for (long s = first; s < next; s++) {
            out.add(ring[(int) (s % ring.length)]);
        }
        return out;
    }

    /** The seq of the newest entry (0 when none yet). */
    public synchronized long lastSeq() {
        return next - 1;
    }

    /** The last price a target traded each instrument at. */
    public Map<InstrumentId, BigDecimal> marks() {
        return Map.copyOf(marks);
    }

    /** Per detection source: venue time to detected, over the last trades (p50, p99, max in ms, and how many). */
    public Map<String, LagWindow.Summary> detectionLags() {
        Map<String, LagWindow.Summary> out = new java.util.TreeMap<>();
        lags.forEach((s, w) -> out.put(s, w.summary()));
        return out;
    }

    /** The last {@code size} lags of one source, in nanoseconds. */
    public static final class LagWindow {
        public record Summary(long count, double p50Ms, double p99Ms, double maxMs) {
        }

        private final long[] values;
        private long added;

        LagWindow(int size) {
            values = new long[size];
        }

        synchronized void add(long nanos) {
            values[(int) (added++ % values.length)] = Math.max(0, nanos);
        }

        synchronized Summary summary() {
            int n = (int) Math.min(added, values.length);
            if (n == 0) {
                return new Summary(0, 0, 0, 0);
            }
            long[] sorted = Arrays.copyOf(values, n);
            Arrays.sort(sorted);
            return new Summary(added, ms(sorted[(n - 1) / 2]), ms(sorted[(int) Math.ceil(0.99 * n) - 1]), ms(sorted[n - 1]));
        }

        private static double ms(long nanos) {
            return Math.round(nanos / 1e4) / 100.0;
        }
    }
}

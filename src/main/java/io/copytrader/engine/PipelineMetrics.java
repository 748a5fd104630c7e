package io.copytrader.engine;

import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The engine's Micrometer meters (DESIGN section 9). Names are constants here, dotted under {@code copytrader.};
 * Prometheus shows them with underscores ({@code copytrader_trades_queued_total}).
 */
public final class PipelineMetrics {
    public static final String TRADES_DETECTED = "copytrader.trades.detected";
    public static final String TRADES_QUEUED = "copytrader.trades.queued";
    public static final String TRADES_PROCESSED = "copytrader.trades.processed";
    public static final String TRADES_SKIPPED = "copytrader.trades.skipped";
    public static final String TRADES_FAILED = "copytrader.trades.failed";
    public static final String TRADES_DROPPED = "copytrader.trades.dropped";
    public static final String TRADES_ABANDONED = "copytrader.trades.abandoned";
    public static final String TRADES_EXPIRED = "copytrader.trades.expired";
    public static final String ROWS_REJECTED = "copytrader.feed.rows.rejected";
    public static final String QUEUE_OVERFLOWS = "copytrader.queue.overflows";
    public static final String TRADES_REPLAYED = "copytrader.trades.replayed";
    public static final String QUEUE_LENGTH = "copytrader.queue.length";
    public static final String TRADES_PROCESSING = "copytrader.trades.processing";
    public static final String TRADES_IN_FLIGHT = "copytrader.trades.inflight";
    public static final String CIRCUIT_STATE = "copytrader.circuit.state";
    public static final String TRADE_LATENCY = "copytrader.trade.latency";
    public static final String TRADE_LATENCY_MIN = "copytrader.trade.latency.min";
    public static final String ORDERS_OPEN = "copytrader.orders.open";
    public static final String EXPOSURE = "copytrader.portfolio.exposure";
    public static final String REASON_TAG = "reason";

    private final MeterRegistry registry;
    private final Counter detected;
    private final Counter queued;
    private final Counter processed;
    private final Counter overflows;
    private final Counter replayed;
    private final Map<TradeOutcome, Counter> untagged = new EnumMap<>(TradeOutcome.class);
    private final Map<String, Counter> tagged = new ConcurrentHashMap<>();
    private final Timer latency;
    private final AtomicLong minLatencyNanos = new AtomicLong(Long.MAX_VALUE);
    private volatile LongConsumer latencyListener;

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.detected = Counter.builder(TRADES_DETECTED).description("Trades admitted past dedup").register(registry);
        this.queued = Counter.builder(TRADES_QUEUED).description("Trades put on the copy queue").register(registry);
        this.processed = Counter.builder(TRADES_PROCESSED).description("Trades copied (order accepted)").register(registry);
        this.overflows = Counter.builder(QUEUE_OVERFLOWS).description("Oldest trades dropped from a full queue").register(registry);
        this.replayed = Counter.builder(TRADES_REPLAYED).description("Failed trades sent through again from the dead letters")
                .register(registry);
        untagged.put(TradeOutcome.COPIED, processed);
        untagged.put(TradeOutcome.DROPPED, Counter.builder(TRADES_DROPPED).register(registry));
        untagged.put(TradeOutcome.ABANDONED, Counter.builder(TRADES_ABANDONED).register(registry));
        untagged.put(TradeOutcome.EXPIRED, Counter.builder(TRADES_EXPIRED).register(registry));
        this.latency = Timer.builder(TRADE_LATENCY)
                .description("Detection to order accepted")
                .publishPercentiles(0.5, 0.9, 0.99, 0.999)
                .register(registry);
        Gauge.builder(TRADE_LATENCY_MIN, this, m -> {
            long min = m.minLatencyNanos.get();
            return min == Long.MAX_VALUE ? 0 : min / 1e9;
        }).baseUnit("seconds").description("Smallest detection-to-accepted latency").register(registry);
    }

    /**
     * Starts the trade counters from what the store already holds (a restart), so the figures `status` shows and
     * the store agree; and records a replayed trade, which counts once more when it ends again.
     */
    public void seed(long detectedSoFar, Map<TradeOutcome, Map<Reason, Long>> outcomes) {
        detected.increment(detectedSoFar);
        outcomes.forEach((outcome, byReason) -> byReason.forEach((reason, n) -> outcomeCounter(outcome, reason).increment(n)));
        // the queue figures too, from the same store: every ended trade but those the filter skipped went through the
        // queue, and every overflow is a DROPPED(QUEUE_OVERFLOW) trade (so status agrees with the store after restarts)
        outcomes.forEach((outcome, byReason) -> byReason.forEach((reason, n) -> {
            if (!(outcome == TradeOutcome.SKIPPED && reason != null && reason.name().startsWith("FILTER_"))) {
                queued.increment(n);
            }
            if (reason == Reason.QUEUE_OVERFLOW) {
                overflows.increment(n);
            }
        }));
    }

    public void replayed() {
        replayed.increment();
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void detected() {
        detected.increment();
    }

    public void queued() {
        queued.increment();
    }

    public void overflow() {
        overflows.increment();
    }

    public void rowRejected(Reason reason) {
        counter(ROWS_REJECTED, reason).increment();
    }

    /** Counts a terminal outcome; skipped and failed are tagged by reason. */
    public void outcome(TradeOutcome outcome, Reason reason) {
        outcomeCounter(outcome, reason).increment();
    }

    private Counter outcomeCounter(TradeOutcome outcome, Reason reason) {
        return switch (outcome) {
            case SKIPPED -> counter(TRADES_SKIPPED, reason);
            case FAILED -> counter(TRADES_FAILED, reason);
            default -> untagged.get(outcome);
        };
    }

    public void latency(Duration d) {
        long nanos = Math.max(0, d.toNanos());
        latency.record(nanos, TimeUnit.NANOSECONDS);
        minLatencyNanos.accumulateAndGet(nanos, Math::min);
        LongConsumer listener = latencyListener;
        if (listener != null) {
            listener.accept(nanos);
        }
    }

    /**
     * Also hands every detection-to-accepted latency (ns) to {@code listener}, e.g. an HdrHistogram recorder of the
     * bench; null removes it. The listener runs on the consumer thread and must be quick and thread-safe.
     */
    public void latencyListener(LongConsumer listener) {
        this.latencyListener = listener;
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    private Counter counter(String name, Reason reason) {
        String r = reason == null ? "UNSPECIFIED" : reason.name();
        return tagged.computeIfAbsent(name + "|" + r, k -> Counter.builder(name).tag(REASON_TAG, r).register(registry));
    }
}

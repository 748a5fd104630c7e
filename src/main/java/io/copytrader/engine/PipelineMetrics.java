package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
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
    public static final String QUEUE_JOINED = "copytrader.queue.joined";
    public static final String TRADES_REPLAYED = "copytrader.trades.replayed";
    /**
     * Trades counted by {@link #TRADES_FAILED} that a person replayed from the dead letters while this engine ran: no
     * longer failed. {@code TRADES_FAILED} is a counter (it never goes down); the trades failed now are its sum less
     * this one, which is what the accounting identity adds up.
     */
    public static final String TRADES_FAILED_REPLAYED = "copytrader.trades.failed.replayed";
    public static final String QUEUE_LENGTH = "copytrader.queue.length";
    /** Kafka copy queue only: records on the topic the group has not committed yet. */
    public static final String QUEUE_LAG = "copytrader.queue.lag";
    public static final String TRADES_PROCESSING = "copytrader.trades.processing";
    public static final String TRADES_IN_FLIGHT = "copytrader.trades.inflight";
    public static final String CIRCUIT_STATE = "copytrader.circuit.state";
    public static final String TRADE_LATENCY = "copytrader.trade.latency";
    public static final String TRADE_LATENCY_MIN = "copytrader.trade.latency.min";
    public static final String ORDERS_OPEN = "copytrader.orders.open";
    public static final String EXPOSURE = "copytrader.portfolio.exposure";
    public static final String REASON_TAG = "reason";
    /** Trades per target trader and outcome (DETECTED, then the terminal outcome), counted since start. */
    public static final String TARGET_TRADES = "copytrader.target.trades";
    public static final String TARGET_TAG = "target";
    public static final String OUTCOME_TAG = "outcome";
    public static final String FEED_POLLS_FAILED = "copytrader.feed.polls.failed";
    public static final String FEED_POLLS = "copytrader.feed.polls";
    public static final String FEED_POLLS_DEFERRED = "copytrader.feed.polls.deferred";
    /** Feed trades the store could not admit, left for the next poll to read again (their trader's cursor held). */
    public static final String TRADES_ADMISSION_HELD = "copytrader.trades.admission.held";
    public static final String DEAD_LETTERS_PENDING = "copytrader.deadletters.pending";
    /** Store writes made before an order is sent, tried again in place after a transient store error. */
    public static final String STORE_WRITES_RETRIED = "copytrader.store.writes.retried";

    private final MeterRegistry registry;
    private final Counter detected;
    private final Counter queued;
    private final Counter processed;
    private final Counter overflows;
    private final Counter joined;
    private final Counter replayed;
    private final Counter failedReplayed;
    private final Counter admissionHeld;
    private final Counter storeWritesRetried;
    private final Map<TradeOutcome, Counter> untagged = new EnumMap<>(TradeOutcome.class);
    private final Map<String, Counter> tagged = new ConcurrentHashMap<>();
    private final Timer latency;
    private final AtomicLong minLatencyNanos = new AtomicLong(Long.MAX_VALUE);
    private volatile LongConsumer latencyListener;
    private final StageTimeline timeline = new StageTimeline(java.time.Clock.systemUTC());
    private final Counter feedPollsFailed;
    private final Counter feedPolls;
    private final Counter feedPollsDeferred;
    private final Map<String, FeedFailures> feedFailures = new ConcurrentHashMap<>();

    /** A trader's feed: failed polls in a row (0 after a good one) and the kind of the last failure. */
    public record FeedFailures(int consecutive, String lastError) {
    }

    /** System.nanoTime() of the detection timer's last tick; of these metrics' making before the first. */
    private final AtomicLong lastDetectionTick;

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.lastDetectionTick = new AtomicLong(System.nanoTime());
        this.detected = Counter.builder(TRADES_DETECTED).description("Trades admitted past dedup").register(registry);
        this.queued = Counter.builder(TRADES_QUEUED).description("Trades put on the copy queue").register(registry);
        this.processed = Counter.builder(TRADES_PROCESSED).description("Trades copied (order accepted)").register(registry);
        this.overflows = Counter.builder(QUEUE_OVERFLOWS).description("Oldest trades dropped from a full queue").register(registry);
        this.joined = Counter.builder(QUEUE_JOINED).description(
                "Queued trades copied by the order of the trade of their target, instrument and side taken before them")
                .register(registry);
        this.replayed = Counter.builder(TRADES_REPLAYED).description("Failed trades sent through again from the dead letters")
                .register(registry);
        this.failedReplayed = Counter.builder(TRADES_FAILED_REPLAYED)
                .description("Failed trades replayed from the dead letters while running, so no longer failed "
                        + "(failed now = copytrader.trades.failed - this)").register(registry);
        untagged.put(TradeOutcome.COPIED, processed);
        untagged.put(TradeOutcome.DROPPED, Counter.builder(TRADES_DROPPED)
                .description("Trades ended DROPPED (the oldest waiting trade, dropped from a full queue)").register(registry));
        untagged.put(TradeOutcome.ABANDONED, Counter.builder(TRADES_ABANDONED)
                .description("Trades ended ABANDONED (not finished when the engine stopped)").register(registry));
        untagged.put(TradeOutcome.EXPIRED, Counter.builder(TRADES_EXPIRED)
                .description("Trades ended EXPIRED (found unfinished after a restart, too old to copy)").register(registry));
        this.feedPollsFailed = Counter.builder(FEED_POLLS_FAILED)
                .description("Polls of a target trader's feed that failed (unreachable, error answer, unreadable page)")
                .register(registry);
        this.feedPolls = Counter.builder(FEED_POLLS).description("Polls of the target traders' feeds, good or failed")
                .register(registry);
        this.feedPollsDeferred = Counter.builder(FEED_POLLS_DEFERRED)
                .description("Feed polls put off to the next tick because the feed's request budget was spent")
                .register(registry);
        this.admissionHeld = Counter.builder(TRADES_ADMISSION_HELD)
                .description("Feed trades the store could not admit, read again at the next poll (cursor held)")
                .register(registry);
        this.storeWritesRetried = Counter.builder(STORE_WRITES_RETRIED)
                .description("Store writes made before an order is sent (its intent, its signed form, a join's links) "
                        + "tried again after a transient store error")
                .register(registry);
        registerAtZero();
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

    /**
     * A trade this engine counted FAILED (it failed while running, or was seeded FAILED from the store at start) was
     * replayed: it is in flight again and counts once more when it ends, so it leaves the trades failed now.
     */
    public void leftFailed() {
        failedReplayed.increment();
    }

    /** Trades failed now: every FAILED end counted (seeded from the store at start), less those replayed since. */
    public long failedNow() {
        double ended = registry.find(TRADES_FAILED).counters().stream().mapToDouble(Counter::count).sum();
        return Math.round(ended - failedReplayed.count());
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

    /** Queued trades that joined the order of the trade taken before them (docs/ordering.md, "Joining"). */
    public void joined(int n) {
        joined.increment(n);
    }

    public long joined() {
        return (long) joined.count();
    }

    /** Counts a feed trade the store could not admit, left for the next poll to read again. */
    public void admissionHeld() {
        admissionHeld.increment();
    }

    /** Counts a store write made before an order is sent, tried again after a transient store error. */
    public void storeWriteRetried() {
        storeWritesRetried.increment();
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

    /** Where copied trades' time goes, step by step; off until a listener is set (the bench sets one). */
    public StageTimeline timeline() {
        return timeline;
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** Counts one of a target's trades: "DETECTED" when admitted, then its terminal outcome. */
    public void target(String trader, String outcome) {
        tagged.computeIfAbsent(TARGET_TRADES + "|" + trader + "|" + outcome, k -> Counter.builder(TARGET_TRADES)
                .description("Trades per target trader: detected, then by outcome")
                .tag(TARGET_TAG, trader).tag(OUTCOME_TAG, outcome).register(registry)).increment();
    }

    private Counter counter(String name, Reason reason) {
        String r = reason == null ? "UNSPECIFIED" : reason.name();
        return tagged.computeIfAbsent(name + "|" + r, k -> Counter.builder(name).tag(REASON_TAG, r)
                .description(DESCRIPTIONS.getOrDefault(name, "")).register(registry));
    }

    private static final Map<String, String> DESCRIPTIONS = Map.of(
            TRADES_SKIPPED, "Trades ended SKIPPED, by reason (filtered, sized to nothing, refused by our risk checks)",
            TRADES_FAILED, "Trades ended FAILED, by reason (each one is a dead letter)",
            ROWS_REJECTED, "Feed rows rejected as unreadable, by reason");

    /**
     * Registers every reason-tagged series a stage can produce at 0 from the start, so a rate() or an alert on a
     * failure sees a series (and its help text) before the first failure happens.
     */
    private void registerAtZero() {
        for (Reason r : Reason.values()) {
            String n = r.name();
            if (n.startsWith("FILTER_") || n.startsWith("SIZING_") || n.startsWith("RISK_")) {
                counter(TRADES_SKIPPED, r);
            } else if ((n.startsWith("EXCHANGE_") && r != Reason.EXCHANGE_DUPLICATE_ORDER) || r == Reason.UNEXPECTED_ERROR) {
                counter(TRADES_FAILED, r);
            } else if (n.startsWith("FEED_")) {
                counter(ROWS_REJECTED, r);
            }
        }
    }

    /** A poll of {@code trader}'s feed succeeded: its run of failures ends. */
    public void feedPollSucceeded(String trader) {
        feedPolls.increment();
        FeedFailures f = feedFailures.get(trader);
        if (f == null || f.consecutive() != 0) {
            feedFailures.put(trader, new FeedFailures(0, f == null ? null : f.lastError()));
        }
    }

    /** A poll of {@code trader}'s feed failed; {@code kind} names the failure (no message: it may hold a URL). */
    /** A poll that sent nothing: the feed's request budget was spent (not a failure: the next tick polls). */
    public void feedPollDeferred() {
        feedPollsDeferred.increment();
    }

    public void feedPollFailed(String trader, String kind) {
        feedPolls.increment();
        feedPollsFailed.increment();
        feedFailures.compute(trader, (t, f) -> new FeedFailures(f == null ? 1 : f.consecutive() + 1, kind));
    }

    /** Marks a tick of the detection timer (its start): the timer is alive and not stuck in a poll. */
    public void detectionTicked() {
        lastDetectionTick.set(System.nanoTime());
    }

    /** Time since the detection timer last ticked; since these metrics were made, before its first tick. */
    public Duration sinceDetectionTick() {
        return Duration.ofNanos(System.nanoTime() - lastDetectionTick.get());
    }

    /** Each polled trader's run of failed polls. */
    public Map<String, FeedFailures> feedFailures() {
        return Map.copyOf(feedFailures);
    }

    // ---- detection lag: venue time (block time, or the feed row's time) to detected and to accepted, by source --

    public static final String LAG_DETECTED = "copytrader.lag.detected";
    public static final String LAG_ACCEPTED = "copytrader.lag.accepted";
    public static final String SOURCE_TAG = "source";
    /** Where a trade came from, for the accepted-lag tag; only trades not from the default source, until accepted. */
    private final Map<String, String> sources = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > 10_000;
                }
            });
    private final Map<String, Timer> lagTimers = new ConcurrentHashMap<>();
    private volatile String defaultSource = "feed";
    private volatile BiConsumer<DetectedTrade, Instant> acceptedListener;

    /** The source of trades no one says otherwise about: the venue's own feed ("paper", "data-api"). */
    public void defaultSource(String source) {
        this.defaultSource = source;
    }

    public String defaultSource() {
        return defaultSource;
    }

    /** A trade from the venue's feed was admitted: records venue time to detected. */
    public void feedDetectionLag(DetectedTrade trade) {
        detectionLag(trade, defaultSource);
    }

    /** A trade from {@code source} was admitted: records venue time to detected, tagged by source. */
    public void detectionLag(DetectedTrade trade, String source) {
        if (!source.equals(defaultSource)) {
            sources.put(trade.key(), source);
        }
        lagTimer(LAG_DETECTED, source, "Venue time (block or feed row) to trade detected")
                .record(lagNanos(trade.tsEvent(), trade.tsInit()), TimeUnit.NANOSECONDS);
    }

    /**
     * Nanoseconds from a trade's venue time to a later moment: 0 when the venue time is later (a clock apart), and
     * Long.MAX_VALUE past what a long holds (a venue time centuries off: {@link Duration#toNanos} would overflow).
     */
    public static long lagNanos(Instant venueTime, Instant at) {
        if (!at.isAfter(venueTime)) {
            return 0;
        }
        Duration lag = Duration.between(venueTime, at);
        return lag.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : lag.toNanos();
    }

    /** The venue accepted our copy of {@code trade}: records venue time to accepted, tagged by the trade's source. */
    public void accepted(DetectedTrade trade, Instant at) {
        String source = sources.remove(trade.key());
        lagTimer(LAG_ACCEPTED, source == null ? defaultSource : source, "Venue time (block or feed row) to order accepted")
                .record(lagNanos(trade.tsEvent(), at), TimeUnit.NANOSECONDS);
        var listener = acceptedListener;
        if (listener != null) {
            listener.accept(trade, at);
        }
    }

    /** Also hands every accepted trade and the moment of acceptance to {@code listener} (the chain bench); null removes it. */
    public void acceptedListener(BiConsumer<DetectedTrade, Instant> listener) {
        this.acceptedListener = listener;
    }

    private Timer lagTimer(String name, String source, String description) {
        return lagTimers.computeIfAbsent(name + "|" + source, k -> Timer.builder(name).tag(SOURCE_TAG, source)
                .description(description).publishPercentiles(0.5, 0.99).register(registry));
    }
}

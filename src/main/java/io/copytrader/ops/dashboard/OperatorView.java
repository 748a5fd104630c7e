package io.copytrader.ops.dashboard;

import io.copytrader.config.CopyTraderSettings;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.WallClock;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.Portfolio;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.TradeStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * What an operator sees, read from the engine's own beans: the figures (queue, breaker, book, counts, lags, dead
 * letters) and the trades of the tape. Read-only, and only figures: no setting that could be a secret, no URL, no
 * header, no message detail reaches it. Money is exact: BigDecimal, sent as plain decimal strings.
 */
public final class OperatorView {
    /**
     * The detection-lag timer, tagged by {@code source}, that per-source detection timing publishes (venue time to
     * detected; PipelineMetrics.LAG_DETECTED where the chain feed is merged). While no such timer exists the view
     * falls back to the lag the tape measures (venue time to detected, per feed).
     */
    public static final String DETECTION_LAG_TIMER = "copytrader.lag.detected";
    private static final Duration DEAD_LETTER_CACHE = Duration.ofSeconds(1);

    private final CopyTraderSettings settings;
    private final PipelineMetrics metrics;
    private final CircuitBreaker breaker;
    private final Portfolio portfolio;
    private final TradeStore store;
    private final TradeTape tape;
    private final IntSupplier queueLength;
    private final IntSupplier processing;
    private final Clock clock;
    private volatile long[] deadLetterCounts = {0, 0};
    private volatile Instant deadLettersReadAt = Instant.EPOCH;

    public OperatorView(CopyTraderSettings settings, PipelineMetrics metrics, CircuitBreaker breaker, Portfolio portfolio,
                        TradeStore store, TradeTape tape, IntSupplier queueLength, IntSupplier processing, Clock clock) {
        this.settings = settings;
        this.metrics = metrics;
        this.breaker = breaker;
        this.portfolio = portfolio;
        this.store = store;
        this.tape = tape;
        this.queueLength = queueLength;
        this.processing = processing;
        this.clock = clock;
    }

    public TradeTape tape() {
        return tape;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /** The figures, as a JSON-ready tree. */
    public Map<String, Object> figures() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("at", clock.instant().toString());
        f.put("venue", settings.venue());
        f.put("targets", settings.targetTraders().stream().map(t -> t.value()).toList());
        f.put("breaker", breakerFigures());
        Map<String, Object> queue = new LinkedHashMap<>();
        queue.put("length", queueLength.getAsInt());
        queue.put("capacity", settings.queueSize());
        queue.put("processing", processing.getAsInt());
        queue.put("consumers", settings.concurrentTrades());
        queue.put("overflows", count(PipelineMetrics.QUEUE_OVERFLOWS));
        queue.put("joined", count(PipelineMetrics.QUEUE_JOINED));
        queue.put("inFlight", store.inFlightCount());
        f.put("queue", queue);
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("detected", count(PipelineMetrics.TRADES_DETECTED));
        counts.put("copied", count(PipelineMetrics.TRADES_PROCESSED));
        counts.put("skipped", count(PipelineMetrics.TRADES_SKIPPED));
        counts.put("failed", count(PipelineMetrics.TRADES_FAILED) - count(PipelineMetrics.TRADES_FAILED_REPLAYED));
        counts.put("dropped", count(PipelineMetrics.TRADES_DROPPED));
        counts.put("abandoned", count(PipelineMetrics.TRADES_ABANDONED));
        counts.put("expired", count(PipelineMetrics.TRADES_EXPIRED));
        counts.put("feedRowsRejected", count(PipelineMetrics.ROWS_REJECTED));
        f.put("counts", counts);
        f.put("latency", latency());
        f.put("portfolio", portfolioFigures());
        f.put("detectionLag", detectionLag());
        long[] dl = deadLetters();
        f.put("deadLetters", Map.of("pending", dl[0], "total", dl[1]));
        Map<String, Object> feeds = new TreeMap<>();
        metrics.feedFailures().forEach((trader, ff) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("consecutiveFailures", ff.consecutive());
            one.put("lastError", ff.lastError());
            feeds.put(trader, one);
        });
        f.put("feeds", feeds);
        return f;
    }

    /** The breaker's state and the configuration it really runs with. */
    public Map<String, Object> breakerFigures() {
        CircuitBreakerConfig c = breaker.getCircuitBreakerConfig();
        CircuitBreaker.Metrics m = breaker.getMetrics();
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("state", breaker.getState().name());
        b.put("failureRateThresholdPercent", c.getFailureRateThreshold());
        b.put("slidingWindowType", c.getSlidingWindowType().name());
        b.put("slidingWindowSize", c.getSlidingWindowSize());
        b.put("minimumNumberOfCalls", c.getMinimumNumberOfCalls());
        b.put("waitInOpenStateSeconds", waitInOpenSeconds(c));
        b.put("permittedCallsInHalfOpenState", c.getPermittedNumberOfCallsInHalfOpenState());
        b.put("bufferedCalls", m.getNumberOfBufferedCalls());
        b.put("failedCalls", m.getNumberOfFailedCalls());
        b.put("notPermittedCalls", m.getNumberOfNotPermittedCalls());
        return b;
    }

    public static long waitInOpenSeconds(CircuitBreakerConfig c) {
        return Duration.ofMillis(c.getWaitIntervalFunctionInOpenState().apply(1)).toSeconds();
    }

    private Map<String, Object> latency() {
        Map<String, Object> l = new LinkedHashMap<>();
        Timer t = metrics.registry().find(PipelineMetrics.TRADE_LATENCY).timer();
        if (t == null) {
            return l;
        }
        l.put("count", t.count());
        l.put("meanMs", round(t.mean(TimeUnit.MILLISECONDS)));
        l.put("maxMs", round(t.max(TimeUnit.MILLISECONDS)));
        for (ValueAtPercentile p : t.takeSnapshot().percentileValues()) {
            l.put("p" + percentileName(p.percentile()) + "Ms", round(p.value(TimeUnit.MILLISECONDS)));
        }
        return l;
    }

    private Map<String, Object> portfolioFigures() {
        Map<String, Object> p = new LinkedHashMap<>();
        BigDecimal cash = portfolio.cash();
        BigDecimal exposure = portfolio.exposure();
        Map<InstrumentId, BigDecimal> marks = tape.marks();
        BigDecimal marked = BigDecimal.ZERO;
        BigDecimal pnl = BigDecimal.ZERO;
        List<Map<String, Object>> positions = new ArrayList<>();
        Map<InstrumentId, Portfolio.Holding> sorted = new TreeMap<>(java.util.Comparator.comparing(InstrumentId::value));
        sorted.putAll(portfolio.holdings());
        for (var e : sorted.entrySet()) {
            Portfolio.Holding h = e.getValue();
            BigDecimal mark = marks.get(e.getKey());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("instrument", e.getKey().toString());
            row.put("quantity", h.quantity().toPlainString());
            row.put("pendingBuy", h.pendingBuy().toPlainString());
            row.put("cost", usd(h.cost()));
            row.put("avgPrice", h.quantity().signum() == 0 ? "0"
                    : h.cost().divide(h.quantity(), 6, RoundingMode.HALF_EVEN).toPlainString());
            if (mark != null) {
                BigDecimal value = h.quantity().multiply(mark);
                row.put("mark", mark.toPlainString());
                row.put("value", usd(value));
                row.put("unrealizedPnl", usd(value.subtract(h.cost())));
                marked = marked.add(value);
                pnl = pnl.add(value.subtract(h.cost()));
            } else {
                marked = marked.add(h.cost());
            }
            positions.add(row);
        }
        BigDecimal portfolioValue = cash.add(exposure);
        p.put("cash", usd(cash));
        p.put("exposure", usd(exposure));
        p.put("exposureCap", usd(portfolioValue.multiply(settings.maxPortfolioExposure())));
        p.put("maxExposureRatio", settings.maxPortfolioExposure().toPlainString());
        p.put("maxPositionUsd", settings.maxPositionSizeUsd().toPlainString());
        p.put("equity", usd(cash.add(marked)));
        p.put("unrealizedPnl", usd(pnl));
        p.put("positions", positions);
        return p;
    }

    /** Per source: from the detection-lag timers when they exist, else from the tape. */
    private Map<String, Object> detectionLag() {
        Map<String, Object> out = new TreeMap<>();
        for (Timer t : metrics.registry().find(DETECTION_LAG_TIMER).timers()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("count", t.count());
            for (ValueAtPercentile p : t.takeSnapshot().percentileValues()) {
                one.put("p" + percentileName(p.percentile()) + "Ms", round(p.value(TimeUnit.MILLISECONDS)));
            }
            one.put("maxMs", round(t.max(TimeUnit.MILLISECONDS)));
            one.put("from", "metrics");
            out.put(t.getId().getTag("source") == null ? "all" : t.getId().getTag("source"), one);
        }
        if (out.isEmpty()) {
            tape.detectionLags().forEach((source, s) -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("count", s.count());
                one.put("p50Ms", s.p50Ms());
                one.put("p99Ms", s.p99Ms());
                one.put("maxMs", s.maxMs());
                one.put("from", "last trades");
                out.put(source, one);
            });
        }
        return out;
    }

    /**
     * Dead letters pending (not replayed, their trade not admitted later), and all of them; read from the store at most
     * once a second.
     */
    public long[] deadLetters() {
        Instant now = clock.instant();
        if (WallClock.due(deadLettersReadAt, DEAD_LETTER_CACHE, now)) {
            TradeStore.DeadLetterCounts counts = store.deadLetterCounts();
            deadLetterCounts = new long[] {counts.pending(), counts.total()};
            deadLettersReadAt = now;
        }
        return deadLetterCounts;
    }

    /** A tape entry as the dashboard shows it; a copied trade also shows our order (size, limit, fill price). */
    public Map<String, Object> trade(TradeTape.Entry e) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("seq", e.seq());
        t.put("time", e.endedAt().toString());
        t.put("target", e.trade().trader().value());
        t.put("instrument", e.trade().instrument().toString());
        t.put("side", e.trade().side().name());
        t.put("size", e.trade().quantity().toPlainString());
        t.put("price", e.trade().price().toPlainString());
        t.put("outcome", e.outcome().name());
        t.put("reason", e.reason() == null ? null : e.reason().name());
        t.put("latencyMs", round(e.latency().toNanos() / 1e6));
        if (e.outcome() == TradeOutcome.COPIED) {
            store.order(e.trade().clientOrderId()).ifPresent((OrderRecord o) -> {
                t.put("ourSize", o.intent().quantity().toPlainString());
                t.put("ourLimit", o.intent().limitPrice().toPlainString());
                t.put("ourFillPrice", o.avgFillPrice() == null ? null : o.avgFillPrice().toPlainString());
            });
        }
        return t;
    }

    public long count(String name) {
        double sum = 0;
        for (Counter c : metrics.registry().find(name).counters()) {
            sum += c.count();
        }
        return Math.round(sum);
    }

    public MeterRegistry registry() {
        return metrics.registry();
    }

    private static String usd(BigDecimal v) {
        return v.setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static double round(double ms) {
        return Math.round(ms * 100) / 100.0;
    }

    private static String percentileName(double p) {
        String s = BigDecimal.valueOf(p * 100).stripTrailingZeros().toPlainString();
        return s.replace(".", "");
    }
}

package io.copytrader.ops.jmx;

import io.copytrader.domain.WallClock;
import io.copytrader.ops.dashboard.OperatorView;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Registers the trading figures and the breaker's real configuration in the platform MBean server. */
public final class TradingMBeans implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TradingMBeans.class);
    public static final String TRADING = "io.copytrader:type=Trading,name=figures";
    public static final String BREAKER = "io.copytrader:type=CircuitBreaker,name=exchange-orders";

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final List<ObjectName> registered = new ArrayList<>();

    public TradingMBeans(OperatorView view, Clock clock) {
        register(TRADING, new Figures(view, clock));
        register(BREAKER, new Breaker(view.breaker()));
    }

    private void register(String name, Object bean) {
        try {
            ObjectName on = new ObjectName(name);
            try {
                server.registerMBean(bean, on);
            } catch (InstanceAlreadyExistsException e) {
                // an engine stopped without closing (a test restarting it in one JVM): the newest one wins
                server.unregisterMBean(on);
                server.registerMBean(bean, on);
            }
            registered.add(on);
        } catch (JMException e) {
            LOG.warn("Could not register {} in JMX: {}", name, e.toString());
        }
    }

    @Override
    public void close() {
        for (ObjectName on : registered) {
            try {
                server.unregisterMBean(on);
            } catch (JMException e) {
                LOG.debug("Already unregistered: {}", on);
            }
        }
        registered.clear();
    }

    /** Reads the view's figures at most every 500 ms: Hawtio asks for every attribute one by one. */
    static final class Figures implements TradingFiguresMXBean {
        private static final Duration READ_EVERY = Duration.ofMillis(500);
        private final OperatorView view;
        private final Clock clock;
        private Map<String, Object> cached;
        private Instant cachedAt = Instant.EPOCH;

        Figures(OperatorView view, Clock clock) {
            this.view = view;
            this.clock = clock;
        }

        @SuppressWarnings("unchecked")
        private synchronized Map<String, Object> part(String name) {
            Instant now = clock.instant();
            if (cached == null || WallClock.due(cachedAt, READ_EVERY, now)) {
                cached = view.figures();
                cachedAt = now;
            }
            return (Map<String, Object>) cached.get(name);
        }

        private long counts(String k) {
            return ((Number) part("counts").get(k)).longValue();
        }

        private BigDecimal money(String k) {
            return new BigDecimal((String) part("portfolio").get(k));
        }

        private double latency(String k) {
            Object v = part("latency").get(k);
            return v == null ? 0 : ((Number) v).doubleValue();
        }

        @Override public long getTradesDetected() { return counts("detected"); }
        @Override public long getTradesCopied() { return counts("copied"); }
        @Override public long getTradesSkipped() { return counts("skipped"); }
        @Override public long getTradesFailed() { return counts("failed"); }
        @Override public long getTradesDropped() { return counts("dropped"); }
        @Override public long getTradesInFlight() { return ((Number) part("queue").get("inFlight")).longValue(); }
        @Override public int getQueueLength() { return ((Number) part("queue").get("length")).intValue(); }
        @Override public int getQueueCapacity() { return ((Number) part("queue").get("capacity")).intValue(); }
        @Override public long getQueueOverflows() { return ((Number) part("queue").get("overflows")).longValue(); }
        @Override public long getQueueJoined() { return ((Number) part("queue").get("joined")).longValue(); }
        @Override public long getDeadLettersPending() { return ((Number) part("deadLetters").get("pending")).longValue(); }
        @Override public long getDeadLettersTotal() { return ((Number) part("deadLetters").get("total")).longValue(); }
        @Override public String getCircuitState() { return (String) part("breaker").get("state"); }
        @Override public BigDecimal getCashUsd() { return money("cash"); }
        @Override public BigDecimal getExposureUsd() { return money("exposure"); }
        @Override public BigDecimal getExposureCapUsd() { return money("exposureCap"); }
        @Override public BigDecimal getEquityUsd() { return money("equity"); }
        @Override public BigDecimal getUnrealizedPnlUsd() { return money("unrealizedPnl"); }
        @Override public int getPositions() { return ((List<?>) part("portfolio").get("positions")).size(); }
        @Override public double getLatencyP50Ms() { return latency("p50Ms"); }
        @Override public double getLatencyP99Ms() { return latency("p99Ms"); }

        @Override
        @SuppressWarnings("unchecked")
        public double getDetectionLagP99Ms() {
            double worst = 0;
            for (Object v : part("detectionLag").values()) {
                Object p99 = ((Map<String, Object>) v).get("p99Ms");
                worst = Math.max(worst, p99 == null ? 0 : ((Number) p99).doubleValue());
            }
            return worst;
        }

        @Override
        @SuppressWarnings("unchecked")
        public int getFeedConsecutiveFailures() {
            int worst = 0;
            for (Object v : part("feeds").values()) {
                worst = Math.max(worst, ((Number) ((Map<String, Object>) v).get("consecutiveFailures")).intValue());
            }
            return worst;
        }
    }

    static final class Breaker implements CircuitBreakerFiguresMXBean {
        private final CircuitBreaker breaker;

        Breaker(CircuitBreaker breaker) {
            this.breaker = breaker;
        }

        @Override public String getState() { return breaker.getState().name(); }
        @Override public float getFailureRateThresholdPercent() { return breaker.getCircuitBreakerConfig().getFailureRateThreshold(); }
        @Override public String getSlidingWindowType() { return breaker.getCircuitBreakerConfig().getSlidingWindowType().name(); }
        @Override public int getSlidingWindowSize() { return breaker.getCircuitBreakerConfig().getSlidingWindowSize(); }
        @Override public int getMinimumNumberOfCalls() { return breaker.getCircuitBreakerConfig().getMinimumNumberOfCalls(); }
        @Override public long getWaitInOpenStateSeconds() { return OperatorView.waitInOpenSeconds(breaker.getCircuitBreakerConfig()); }
        @Override public int getPermittedCallsInHalfOpenState() { return breaker.getCircuitBreakerConfig().getPermittedNumberOfCallsInHalfOpenState(); }
        @Override public int getBufferedCalls() { return breaker.getMetrics().getNumberOfBufferedCalls(); }
        @Override public int getFailedCalls() { return breaker.getMetrics().getNumberOfFailedCalls(); }
        @Override public long getNotPermittedCalls() { return breaker.getMetrics().getNumberOfNotPermittedCalls(); }
    }
}

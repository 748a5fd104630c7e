package io.copytrader.engine;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The queue-status INFO line: at most one every interval, and only when something changed since the last one,
 * so an idle engine stays quiet. Called from monitor-orders.
 */
public final class StatusLogger {
    private static final Logger LOG = LoggerFactory.getLogger("io.copytrader.status");

    private final MeterRegistry registry;
    private final IntSupplier queueLength;
    private final LongSupplier processing;
    private final CircuitBreaker breaker;
    private final long intervalMillis;
    private long lastLogged = Long.MIN_VALUE / 2;
    private String lastLine = "";

    public StatusLogger(MeterRegistry registry, IntSupplier queueLength, LongSupplier processing, CircuitBreaker breaker,
                        long intervalMillis) {
        this.registry = registry;
        this.queueLength = queueLength;
        this.processing = processing;
        this.breaker = breaker;
        this.intervalMillis = intervalMillis;
    }

    public synchronized void maybeLog() {
        long now = Monotonic.millis();
        if (now - lastLogged < intervalMillis) {
            return;
        }
        String line = String.format("queue %d waiting, %d copying; detected %d, copied %d, skipped %d, failed %d, "
                        + "dropped %d; breaker %s", queueLength.getAsInt(), processing.getAsLong(),
                count(PipelineMetrics.TRADES_DETECTED), count(PipelineMetrics.TRADES_PROCESSED),
                count(PipelineMetrics.TRADES_SKIPPED), count(PipelineMetrics.TRADES_FAILED) - count(PipelineMetrics.TRADES_FAILED_REPLAYED),
                count(PipelineMetrics.TRADES_DROPPED), breaker.getState());
        if (!line.equals(lastLine)) {
            LOG.info("Status: {}", line);
            lastLine = line;
        }
        lastLogged = now;
    }

    private long count(String name) {
        return (long) registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}

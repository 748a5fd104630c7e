package io.copytrader.ops.health;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.health.HealthCheckResultBuilder;

import java.util.Map;

/**
 * Readiness: DOWN while the order circuit breaker is OPEN (every trade goes to the dead letters), with the reason
 * and when it will let a trial order through. HALF_OPEN is UP: the breaker is trying the venue again.
 * Not a liveness check: an open breaker is the engine protecting itself, not a process to restart.
 */
public final class BreakerReadinessCheck extends ReadinessCheck {
    private final CircuitBreaker breaker;
    private final int maxConsecutiveFailures;
    private final long openSeconds;

    public BreakerReadinessCheck(CircuitBreaker breaker, int maxConsecutiveFailures, long openSeconds) {
        super("order-circuit-breaker");
        this.breaker = breaker;
        this.maxConsecutiveFailures = maxConsecutiveFailures;
        this.openSeconds = openSeconds;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        CircuitBreaker.State state = breaker.getState();
        builder.detail("circuit.state", state.name());
        if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
            builder.down().message("order circuit breaker OPEN after " + maxConsecutiveFailures
                    + " consecutive order failures: trades go to the dead letters; a trial order after "
                    + openSeconds + " s open");
        } else {
            builder.up();
        }
    }
}

package io.copytrader.engine;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import java.util.concurrent.TimeUnit;

/**
 * The order circuit breaker as the engine counts it: one venue failure per trade (after its retries), counted here
 * rather than by the circuit breaker EIP, so that the check "is it open already?" and the count are one step. With
 * any number of consumers racing, exactly {@code MAX_CONSECUTIVE_FAILURES} counted trades open it, and a trade
 * whose failure comes in after that is known not to have counted (it goes to the dead letters as circuit open).
 * Successes are recorded by the EIP around {@code direct:place-order}.
 */
public final class OrderBreaker {
    private final CircuitBreaker breaker;

    public OrderBreaker(CircuitBreaker breaker) {
        this.breaker = breaker;
    }

    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    /** Open (or forced open): no order may be sent. */
    public boolean isOpen() {
        CircuitBreaker.State s = breaker.getState();
        return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN;
    }

    /**
     * Counts one trade's venue failure, unless the breaker is open already; true when it counted.
     *
     * @param venueFailure a failure {@link Failures#countsTowardBreaker} accepts (anything else would count as a
     *                     success in Resilience4j)
     */
    public synchronized boolean countFailure(Throwable venueFailure) {
        if (isOpen() || !Failures.countsTowardBreaker(venueFailure)) {
            return false;
        }
        breaker.onError(0, TimeUnit.NANOSECONDS, venueFailure);
        return true;
    }
}

package io.copytrader.ops.jmx;

/**
 * The order circuit breaker as it really runs ({@code io.copytrader:type=CircuitBreaker,name=exchange-orders}): its
 * state, counts and configuration, read from the Resilience4j instance the route uses. Read-only.
 */
public interface CircuitBreakerFiguresMXBean {
    String getState();

    float getFailureRateThresholdPercent();

    String getSlidingWindowType();

    int getSlidingWindowSize();

    int getMinimumNumberOfCalls();

    long getWaitInOpenStateSeconds();

    int getPermittedCallsInHalfOpenState();

    int getBufferedCalls();

    int getFailedCalls();

    long getNotPermittedCalls();
}

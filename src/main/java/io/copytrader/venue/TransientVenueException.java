package io.copytrader.venue;

import java.time.Duration;

/**
 * The venue could not take the request now, and nothing was done: 5xx, 425, 429, an outage. Safe to retry with
 * backoff; when retries are exhausted it counts once toward the circuit breaker.
 */
public class TransientVenueException extends RuntimeException {
    private final int status;
    private final Duration retryAfter;

    /**
     * @param status     HTTP status, or 0 for a transport failure
     * @param retryAfter what the venue asked us to wait (Retry-After), or null
     */
    public TransientVenueException(String message, int status, Duration retryAfter) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** Null when the venue did not say. */
    public Duration retryAfter() {
        return retryAfter;
    }
}

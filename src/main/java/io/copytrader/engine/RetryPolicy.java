package io.copytrader.engine;

import java.time.Duration;

/**
 * How often and how patiently one order is sent (docs/failure-semantics.md): at most {@code 1 + maxRetries} sends,
 * the waits between them doubling from the initial delay up to the maximum, or the venue's Retry-After capped at
 * {@code maxRetryAfterMs}. Only failures that left nothing at the venue are retried ({@link Failures.Kind#RETRYABLE}).
 */
public record RetryPolicy(int maxRetries, long initialDelayMs, long maxDelayMs, long maxRetryAfterMs) {

    /** Whether an order sent {@code sends} times, every one answered "try again", may be sent once more. */
    public boolean allowsAnotherSend(int sends) {
        return sends <= maxRetries;
    }

    /**
     * The wait before send number {@code sends + 1}: the venue's Retry-After (capped) when it gave one, else the
     * initial delay doubled per earlier retry, capped.
     */
    public long delayBeforeRetryMs(int sends, Duration retryAfter) {
        if (retryAfter != null) {
            // compared as durations: a Retry-After beyond a long's milliseconds would overflow toMillis()
            if (retryAfter.isNegative()) {
                return 0;
            }
            return retryAfter.compareTo(Duration.ofMillis(maxRetryAfterMs)) > 0 ? maxRetryAfterMs : retryAfter.toMillis();
        }
        long delay = initialDelayMs;
        for (int i = 1; i < sends && delay < maxDelayMs; i++) {
            delay *= 2;
        }
        return Math.min(delay, maxDelayMs);
    }

    /** The longest one wait between sends can be. */
    public long longestWaitMs() {
        return Math.max(maxDelayMs, maxRetryAfterMs);
    }

    /**
     * The longest a consumer can hold an order it is sending: every send at its longest, and every wait between.
     */
    public Duration longestSend(Duration perSend) {
        return perSend.multipliedBy(maxRetries + 1L).plusMillis(longestWaitMs() * maxRetries);
    }
}

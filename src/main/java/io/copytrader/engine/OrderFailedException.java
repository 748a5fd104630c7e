package io.copytrader.engine;

import io.copytrader.domain.Reason;

/**
 * A trade whose order could not be placed, already recorded: the order moved on in the store, the book released
 * if it had to be, and (if it was the venue's failure) counted once toward the breaker by {@link OrderBreaker}.
 * Thrown to the circuit breaker so it records no success; its predicates ignore this exception.
 */
public final class OrderFailedException extends RuntimeException {
    private final Reason deadLetterReason;
    private final String detail;

    /**
     * @param deadLetterReason where the trade goes, or null when it stays in flight (its order is looked up)
     * @param detail           for people: what happened
     */
    public OrderFailedException(Reason deadLetterReason, String detail) {
        super(detail, null, false, false);
        this.deadLetterReason = deadLetterReason;
        this.detail = detail;
    }

    public Reason deadLetterReason() {
        return deadLetterReason;
    }

    public String detail() {
        return detail;
    }
}

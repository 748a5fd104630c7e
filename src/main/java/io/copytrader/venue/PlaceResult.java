package io.copytrader.venue;

import io.copytrader.domain.Reason;

/** The venue's answer to an order placement, once it is known. Transient failures are exceptions instead. */
public sealed interface PlaceResult {
    /** The venue took the order; {@code status} says how far it got (OPEN, PARTIALLY_FILLED, FILLED). */
    record Accepted(OrderStatus status) implements PlaceResult {
    }

    /**
     * A business reject: the venue refused this order and will refuse it again (insufficient balance, invalid
     * order, duplicate id). Never retried, never counted by the circuit breaker.
     */
    record Rejected(Reason reason, String message) implements PlaceResult {
    }
}

package io.copytrader.venue;

import io.copytrader.domain.Reason;

/**
 * Thrown by {@link ExchangeAdapter#prepareOrder} when the venue's current state already says the order cannot
 * succeed, so nothing is signed or sent: nothing to sell, below the venue's minimum size, no liquidity within the
 * slippage cap. Like {@link PlaceResult.Rejected} it is a business outcome: never retried, never counted by the
 * circuit breaker; the trade ends SKIPPED with the reason.
 */
public class OrderDeniedException extends RuntimeException {
    private final Reason reason;

    public OrderDeniedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

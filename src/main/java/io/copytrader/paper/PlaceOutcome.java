package io.copytrader.paper;

/** The paper exchange's answer to a placement. */
public sealed interface PlaceOutcome {
    record Accepted(OrderView order) implements PlaceOutcome {
    }

    /**
     * @param error the contract's error code: INSUFFICIENT_BALANCE, INVALID_ORDER or DUPLICATE_CLIENT_ORDER_ID
     */
    record Rejected(String error, String message) implements PlaceOutcome {
    }
}

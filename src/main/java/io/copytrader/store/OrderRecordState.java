package io.copytrader.store;

import java.util.EnumSet;
import java.util.Set;

/**
 * Our record of an order's life. SUBMITTING is written before the request leaves (the outbox). The store moves an
 * order only from the states {@link #allowedFrom()} names (a compare-and-set), so of two paths racing to end an
 * order exactly one wins, and only the winner settles or releases the book (docs/failure-semantics.md).
 */
public enum OrderRecordState {
    /** Intent persisted, request about to be sent or in flight. */
    SUBMITTING,
    /** Sent, but no answer came: resolve by lookup with the client order id, never by sending again. */
    UNKNOWN,
    OPEN,
    PARTIALLY_FILLED,
    FILLED,
    CANCELED,
    REJECTED,
    /** Never reached the venue (retries exhausted, circuit open) or confirmed absent after an unknown outcome. */
    FAILED;

    /** The states an order may move to this one from; a move from any other state is refused by the store. */
    public Set<OrderRecordState> allowedFrom() {
        return switch (this) {
            // a person replayed a failed or refused order: it is prepared and sent again
            case SUBMITTING -> EnumSet.of(FAILED, REJECTED);
            // sent, no answer (or left SUBMITTING by a previous run)
            case UNKNOWN -> EnumSet.of(SUBMITTING);
            // the venue's answer, or what a lookup found; fills move an open order on
            case OPEN -> EnumSet.of(SUBMITTING, UNKNOWN, OPEN);
            case PARTIALLY_FILLED -> EnumSet.of(SUBMITTING, UNKNOWN, OPEN, PARTIALLY_FILLED);
            case FILLED, CANCELED -> EnumSet.of(SUBMITTING, UNKNOWN, OPEN, PARTIALLY_FILLED);
            case REJECTED -> EnumSet.of(SUBMITTING, UNKNOWN);
            // never reached the venue, or the venue confirms it does not know the order
            case FAILED -> EnumSet.of(SUBMITTING, UNKNOWN);
        };
    }

    public boolean isTerminal() {
        return this == FILLED || this == CANCELED || this == REJECTED || this == FAILED;
    }
}

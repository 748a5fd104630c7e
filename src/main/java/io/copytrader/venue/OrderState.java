package io.copytrader.venue;

/** Where an order stands at the venue, venue-neutral. */
public enum OrderState {
    /** Resting, nothing filled yet. */
    OPEN,
    PARTIALLY_FILLED,
    FILLED,
    CANCELED,
    REJECTED,
    /** The venue does not know this order (lookup answered "not found"). */
    NOT_FOUND;

    public boolean isTerminal() {
        return this == FILLED || this == CANCELED || this == REJECTED;
    }
}

package io.copytrader.store;

/** Our record of an order's life. SUBMITTING is written before the request leaves (the outbox). */
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

    public boolean isTerminal() {
        return this == FILLED || this == CANCELED || this == REJECTED || this == FAILED;
    }
}

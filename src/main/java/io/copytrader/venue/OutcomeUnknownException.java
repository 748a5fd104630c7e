package io.copytrader.venue;

/**
 * Thrown by {@link ExchangeAdapter#onPlaceReply} when the venue answered, but its answer leaves open whether it took
 * the order. The engine treats it as an answer that never came: the order is looked up by its id, never sent again;
 * found, the trade is copied with what the venue reports; confirmed absent after the grace period, it fails to the
 * dead letters, replayable.
 */
public class OutcomeUnknownException extends RuntimeException {
    public OutcomeUnknownException(String message) {
        super(message);
    }
}

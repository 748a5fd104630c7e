package io.copytrader.engine;

/** Names of the exchange properties the pipeline carries between steps (properties never become HTTP headers). */
public final class ExchangeProps {
    /** The {@link io.copytrader.domain.DetectedTrade} being copied. */
    public static final String TRADE = "copyTrade";
    /** The {@link io.copytrader.domain.CopyIntent} once sized. */
    public static final String INTENT = "copyIntent";
    /** The {@link io.copytrader.venue.PreparedOrder} to send. */
    public static final String PREPARED = "preparedOrder";
    /** How many times the order was prepared (the market data read, the order signed), counted by send-order. */
    public static final String PREPARE_ATTEMPTS = "orderPrepareAttempts";
    /** Set when the outbox already holds this order: it must not be sent again. */
    public static final String ALREADY_PLACED = "orderAlreadyPlaced";
    /** Set when the venue asked for the order to be prepared (signed) again before the next attempt. */
    public static final String RESIGN = "orderResign";
    /** A {@link io.copytrader.domain.Reason} sending the trade to the dead letters. */
    public static final String DEAD_LETTER_REASON = "deadLetterReason";
    public static final String DEAD_LETTER_DETAIL = "deadLetterDetail";

    private ExchangeProps() {
    }
}

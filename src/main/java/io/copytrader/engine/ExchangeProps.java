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
    /**
     * A replay's earlier order: its {@link io.copytrader.domain.VenueOrderId} (a signed order's hash), which the venue
     * is asked about before anything is signed again.
     */
    public static final String EARLIER_ORDER = "orderEarlierVenueId";
    /**
     * Set when a send of an order whose venue id was known before sending got a 5xx: the venue may have taken it, so
     * when the retries run out the order is looked up, not failed.
     */
    public static final String MAYBE_TAKEN = "orderMaybeTaken";
    /**
     * Where the book's reservation for this order stands, an {@link OrderPlacer.Reservation}; absent while the
     * exchange holds it.
     */
    public static final String RESERVATION = "orderReservation";
    /** When place-order began writing the order to the outbox (an {@link java.time.Instant}). */
    public static final String OUTBOX_FROM = "orderOutboxFrom";
    /** Set once a request of this order may have left (it stays when the order is no longer in hand). */
    public static final String SENT = "orderSent";
    /** A {@link io.copytrader.domain.Reason} sending the trade to the dead letters. */
    public static final String DEAD_LETTER_REASON = "deadLetterReason";
    public static final String DEAD_LETTER_DETAIL = "deadLetterDetail";
    /** How many pages of its trader the tick on this exchange has read (detect-trades). */
    public static final String FEED_PAGES = "feedPagesRead";
    /** Set by a page that went through when the tick reads the trader's next page at once (detect-trades). */
    public static final String NEXT_FEED_PAGE = "feedNextPage";

    private ExchangeProps() {
    }
}

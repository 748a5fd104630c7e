package io.copytrader.venue;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.VenueOrderId;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * The exchange contract of a venue (DESIGN section 7), as pure request builders and reply classifiers. The engine
 * executes the calls. Implementations must be thread-safe: five consumers place orders at once.
 *
 * <p>Every {@code on...Reply} method throws {@link TransientVenueException} for answers that say "try again"
 * (5xx, 425, 429 with Retry-After) and {@link IllegalArgumentException} for a body it cannot read.
 */
public interface ExchangeAdapter {
    /** A short name for logs and metrics: "paper", "polymarket". */
    String name();

    /**
     * Builds the placement request. May do venue metadata lookups through its own {@link VenueHttpClient} (tick
     * size, order book) but never sends the order itself.
     */
    PreparedOrder prepareOrder(CopyIntent intent);

    PlaceResult onPlaceReply(CopyIntent intent, HttpReply reply);

    /**
     * Looks an order up. venueOrderId is what the venue or {@link PreparedOrder} told us, or null when only our
     * client order id is known.
     */
    HttpCall lookupOrder(CopyIntent intent, VenueOrderId venueOrderId);

    /** Returns {@link OrderStatus#notFound} when the venue does not know the order. */
    OrderStatus onLookupReply(CopyIntent intent, HttpReply reply);

    /**
     * The answer to {@link #lookupOrder} for {@code venueOrderId} (what was asked, which the answer may not repeat):
     * a venue that stops listing orders once they are done can look further before saying not found. By default
     * {@link #onLookupReply(CopyIntent, HttpReply)}.
     */
    default OrderStatus onLookupReply(CopyIntent intent, VenueOrderId venueOrderId, HttpReply reply) {
        return onLookupReply(intent, reply);
    }

    HttpCall cancelOrder(CopyIntent intent, VenueOrderId venueOrderId);

    /** True when the venue canceled it (or it was already gone). */
    boolean onCancelReply(HttpReply reply);

    /** Cash available for buying, in USD. */
    HttpCall balance();

    BigDecimal onBalanceReply(HttpReply reply);

    HttpCall positions();

    List<PositionSnapshot> onPositionsReply(HttpReply reply);

    /**
     * True when {@link PreparedOrder#venueOrderId()} is always known before sending (Polymarket: the signed order's
     * hash) and persisted first: then an order recorded without it was never sent.
     */
    default boolean knowsOrderIdBeforeSending() {
        return false;
    }

    /**
     * The request that sends again an order signed earlier, from its persisted {@link PreparedOrder#signedOrder}:
     * the same order, byte for byte (only the request's authentication is made anew). Only for venues that
     * {@link #knowsOrderIdBeforeSending()}.
     */
    default PreparedOrder resend(CopyIntent intent, VenueOrderId venueOrderId, String signedOrder) {
        throw new UnsupportedOperationException(name() + " keeps no signed orders to send again");
    }

    /**
     * Before an order is prepared (signed) again for a trade whose earlier order may have reached the venue (a
     * replay): that earlier order's status at the venue, or empty when the venue confirms it absent (or this venue
     * needs no such check: its orders are deduplicated by client order id).
     *
     * @throws TransientVenueException or IOException when the venue could not say
     */
    default Optional<OrderStatus> findEarlierOrder(CopyIntent intent, VenueOrderId earlier) throws IOException {
        return Optional.empty();
    }
}

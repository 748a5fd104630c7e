package io.copytrader.venue;

import io.copytrader.domain.VenueOrderId;

/**
 * An order ready to send.
 *
 * @param venueOrderId the venue's id when it is known before sending (Polymarket: the hash of the signed order),
 *                     else null. The engine persists it with the intent before the request leaves, so an unknown
 *                     outcome is resolved by lookup, never by preparing (signing) the order again.
 * @param signedOrder  the signed order as it is posted (Polymarket: the {@code order} object of the body, signature
 *                     included, no credentials), or null for a venue that keeps none. Persisted with
 *                     {@code venueOrderId}; {@link ExchangeAdapter#resend} posts exactly it again.
 */
public record PreparedOrder(HttpCall call, VenueOrderId venueOrderId, String signedOrder) {
    public PreparedOrder(HttpCall call, VenueOrderId venueOrderId) {
        this(call, venueOrderId, null);
    }
}

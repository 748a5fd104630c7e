package io.copytrader.venue;

import io.copytrader.domain.VenueOrderId;

/**
 * An order ready to send.
 *
 * @param venueOrderId the venue's id when it is known before sending (Polymarket: the hash of the signed order),
 *                     else null. The engine persists it with the intent before the request leaves, so an unknown
 *                     outcome is resolved by lookup, never by preparing (signing) the order again.
 */
public record PreparedOrder(HttpCall call, VenueOrderId venueOrderId) {
}

package io.copytrader.venue;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.VenueOrderId;

import java.math.BigDecimal;

/**
 * An order as the venue reports it.
 *
 * @param venueOrderId   null when the venue does not know the order
 * @param filledQuantity cumulative filled quantity (zero when nothing filled)
 * @param avgFillPrice   average price of the fills, or null when nothing filled
 */
public record OrderStatus(ClientOrderId clientOrderId, VenueOrderId venueOrderId, OrderState state,
                          BigDecimal filledQuantity, BigDecimal avgFillPrice) {
    public static OrderStatus notFound(ClientOrderId id) {
        return new OrderStatus(id, null, OrderState.NOT_FOUND, BigDecimal.ZERO, null);
    }
}

package io.copytrader.store;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.VenueOrderId;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An order as we recorded it.
 *
 * @param venueOrderId null until the venue told us
 * @param avgFillPrice null while nothing is filled
 */
public record OrderRecord(ClientOrderId clientOrderId, String tradeKey, CopyIntent intent, OrderRecordState state,
                          VenueOrderId venueOrderId, BigDecimal filledQuantity, BigDecimal avgFillPrice,
                          Instant createdAt, Instant updatedAt) {
}

package io.copytrader.paper;

import io.copytrader.domain.Side;
import io.copytrader.venue.OrderState;

import java.math.BigDecimal;

/**
 * An order as the paper venue reports it ({@code GET /exchange/orders/{clientOrderId}}).
 *
 * @param avgFillPrice the limit price once anything filled (the paper venue fills at the limit), else null
 */
public record OrderView(String clientOrderId, String venueOrderId, String instrument, Side side, BigDecimal price,
                        BigDecimal quantity, BigDecimal filledQuantity, BigDecimal avgFillPrice, OrderState state) {
}

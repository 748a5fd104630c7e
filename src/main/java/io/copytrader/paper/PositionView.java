package io.copytrader.paper;

import java.math.BigDecimal;

/** A holding: quantity exact, {@code avgPrice} the buy-weighted average at 6 decimals (half-even). */
public record PositionView(String instrument, BigDecimal quantity, BigDecimal avgPrice) {
}

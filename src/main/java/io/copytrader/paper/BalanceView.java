package io.copytrader.paper;

import java.math.BigDecimal;

/**
 * Cash on the paper account, exact: {@code available = cash - reserved}, where {@code reserved} is the unfilled
 * notional of open buys.
 */
public record BalanceView(BigDecimal cash, BigDecimal reserved, BigDecimal available) {
}

package io.copytrader.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Every money and size conversion in one place. Money is USD(C) at 6 decimals; prices and quantities keep the
 * venue's precision. Never go through double: parse from the text the venue sent.
 */
public final class Decimals {
    /** USDC has 6 decimals; so does every notional we compute. */
    public static final int USD_SCALE = 6;

    private Decimals() {
    }

    /** Rounds a notional to USD scale, half-even (banker's) as accounting does. */
    public static BigDecimal usd(BigDecimal value) {
        return value.setScale(USD_SCALE, RoundingMode.HALF_EVEN);
    }

    /** Rounds down to USD scale: for amounts we may spend, never round up. */
    public static BigDecimal usdFloor(BigDecimal value) {
        return value.setScale(USD_SCALE, RoundingMode.DOWN);
    }

    /** Parses a decimal written as text (a JSON number's literal, a query parameter); a clear error otherwise. */
    public static BigDecimal parse(String field, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " is not a decimal number: '" + Ids.abbreviate(text) + "'");
        }
    }

    /** price * quantity at USD scale. */
    public static BigDecimal notional(BigDecimal price, BigDecimal quantity) {
        return usd(price.multiply(quantity));
    }

    public static boolean isPositive(BigDecimal value) {
        return value != null && value.signum() > 0;
    }
}

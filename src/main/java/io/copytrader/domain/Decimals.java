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
        BigDecimal value;
        try {
            value = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " is not a decimal number: '" + Ids.abbreviate(text) + "'");
        }
        return bounded(field, value);
    }

    /** Digits an amount read from outside may have before the point, and after it: far past any price, size or balance. */
    public static final int MAX_DIGITS = 30;

    /**
     * {@code value} if it has at most {@link #MAX_DIGITS} digits before the point and after it (trailing zeros aside);
     * else IllegalArgumentException. Read from a venue, a feed or a client, 1e999999999 is a short text, but rounding
     * it to 6 decimals builds a number of a billion digits: minutes of a thread's CPU and a heap's worth of memory.
     */
    public static BigDecimal bounded(String field, BigDecimal value) {
        if (value.signum() != 0 && (value.precision() - value.scale() > MAX_DIGITS
                || (value.scale() > MAX_DIGITS && value.stripTrailingZeros().scale() > MAX_DIGITS))) {
            throw new IllegalArgumentException(field + " " + Ids.abbreviate(value.toString()) + " is out of range (at most "
                    + MAX_DIGITS + " digits before and after the point)");
        }
        return value;
    }

    /** price * quantity at USD scale. */
    public static BigDecimal notional(BigDecimal price, BigDecimal quantity) {
        return usd(price.multiply(quantity));
    }

    public static boolean isPositive(BigDecimal value) {
        return value != null && value.signum() > 0;
    }
}

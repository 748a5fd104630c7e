package io.copytrader.polymarket;

import io.copytrader.domain.Side;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Signed order amounts in 6-decimal base units (contract 2.4, "Amount rounding"), in exact decimal arithmetic.
 *
 * @param price       the price after rounding to the tick's decimals
 * @param makerAmount what we give: USDC on BUY, shares on SELL (base units)
 * @param takerAmount what we get: shares on BUY, USDC on SELL (base units)
 */
public record OrderAmounts(BigDecimal price, long makerAmount, long takerAmount) {
    private static final int BASE_UNIT_DECIMALS = 6;
    private static final int SIZE_DECIMALS = 2;

    /** Decimals of price and amount for one tick size; size is always 2 decimals. */
    record Rounding(BigDecimal tick, int price, int amount) {
    }

    private static final List<Rounding> TABLE = List.of(
            new Rounding(new BigDecimal("0.1"), 1, 3),
            new Rounding(new BigDecimal("0.01"), 2, 4),
            new Rounding(new BigDecimal("0.005"), 3, 5),
            new Rounding(new BigDecimal("0.0025"), 4, 6),
            new Rounding(new BigDecimal("0.001"), 3, 5),
            new Rounding(new BigDecimal("0.0001"), 4, 6));

    static Rounding rounding(BigDecimal tick) {
        for (Rounding r : TABLE) {
            if (r.tick().compareTo(tick) == 0) {
                return r;
            }
        }
        throw new IllegalArgumentException("unsupported tick size " + tick.toPlainString()
                + "; supported: 0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001");
    }

    /** A limit order of {@code size} shares at {@code price} (GTC/GTD rounding). */
    public static OrderAmounts limit(Side side, BigDecimal price, BigDecimal size, BigDecimal tick) {
        Rounding r = rounding(tick);
        BigDecimal p = price.setScale(r.price(), RoundingMode.HALF_UP);
        BigDecimal shares = size.setScale(SIZE_DECIMALS, RoundingMode.DOWN);
        BigDecimal usdc = fitAmount(shares.multiply(p), r.amount());
        return side == Side.BUY ? of(p, usdc, shares) : of(p, shares, usdc);
    }

    /**
     * A marketable order (FOK/FAK), as the official clients build market orders: a BUY spends {@code size * price}
     * USDC rounded down to cents and receives {@code usdc / price} shares; a SELL is rounded as a limit SELL.
     */
    public static OrderAmounts marketable(Side side, BigDecimal price, BigDecimal size, BigDecimal tick) {
        if (side == Side.SELL) {
            return limit(side, price, size, tick);
        }
        Rounding r = rounding(tick);
        BigDecimal p = price.setScale(r.price(), RoundingMode.HALF_UP);
        BigDecimal usdc = size.multiply(p).setScale(SIZE_DECIMALS, RoundingMode.DOWN);
        BigDecimal shares = fitAmount(usdc.divide(p, r.amount() + 4, RoundingMode.UP), r.amount());
        return of(p, usdc, shares);
    }

    /** More than {@code decimals} places: round up to decimals + 4, and if still too long, down to decimals. */
    static BigDecimal fitAmount(BigDecimal value, int decimals) {
        BigDecimal v = value.stripTrailingZeros();
        if (v.scale() > decimals) {
            v = v.setScale(decimals + 4, RoundingMode.UP).stripTrailingZeros();
            if (v.scale() > decimals) {
                v = v.setScale(decimals, RoundingMode.DOWN);
            }
        }
        return v;
    }

    private static OrderAmounts of(BigDecimal price, BigDecimal maker, BigDecimal taker) {
        return new OrderAmounts(price, toBaseUnits(maker), toBaseUnits(taker));
    }

    static long toBaseUnits(BigDecimal amount) {
        return amount.movePointRight(BASE_UNIT_DECIMALS).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
    }

    static BigDecimal fromBaseUnits(BigDecimal units) {
        return units.movePointLeft(BASE_UNIT_DECIMALS);
    }

    /** The share quantity this order trades, in shares. */
    public BigDecimal shares(Side side) {
        return BigDecimal.valueOf(side == Side.BUY ? takerAmount : makerAmount, BASE_UNIT_DECIMALS);
    }
}

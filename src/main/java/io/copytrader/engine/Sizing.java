package io.copytrader.engine;

import io.copytrader.config.SellSettings;
import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Sizing and risk for one trade, as a pure function of the trade, the rules and our book. Exact decimals
 * throughout; quantities round down (never buy or sell more than allowed), buy limits round down, sell limits up.
 *
 * <ul>
 *   <li>quantity = target quantity * COPY_RATIO, at the quantity scale;</li>
 *   <li>limit price = target price moved by the slippage cap (buys pay at most price*(1+s), capped below 1 for
 *       outcome tokens; sells take at least price*(1-s));</li>
 *   <li>a buy keeps the position's cost within MAX_POSITION_SIZE_USD and the book's total exposure within
 *       MAX_PORTFOLIO_EXPOSURE of portfolio value (cash + exposure), shrinking the order to fit;</li>
 *   <li>a sell never sells more than we hold; sized proportionally (SELL_SIZING=proportional, the default) it sells
 *       the share of our settled holding that the target sold of its position, and when that share is worth less
 *       than the smallest order, all of the holding or nothing (SELL_BELOW_MINIMUM); with the target's position
 *       unknown, or SELL_SIZING=ratio, it sells quantity * ratio;</li>
 *   <li>an order worth less than the minimum order size is not placed.</li>
 * </ul>
 */
public final class Sizing {
    static final int PRICE_SCALE = 4;
    /** Outcome tokens trade in (0, 1): a buy limit never reaches 1. */
    static final BigDecimal MAX_OUTCOME_PRICE = new BigDecimal("0.9990");
    static final BigDecimal MIN_OUTCOME_PRICE = new BigDecimal("0.0010");

    private Sizing() {
    }

    /** The result: a quantity and limit price to place, or the reason not to. */
    public record Decision(BigDecimal quantity, BigDecimal limitPrice, Reason skipReason) {
        static Decision skip(Reason reason) {
            return new Decision(null, null, reason);
        }

        public boolean isSkip() {
            return skipReason != null;
        }

        public BigDecimal notional() {
            return Decimals.usd(limitPrice.multiply(quantity));
        }
    }

    /**
     * @param heldQuantity  what we hold of the instrument (after optimistic updates), zero if nothing
     * @param positionCost  what that holding cost us, in USD
     * @param cash          free cash, in USD
     * @param totalExposure the cost of every position we hold, in USD
     */
    public static Decision decide(DetectedTrade trade, SizingRules rules, BigDecimal heldQuantity,
                                  BigDecimal positionCost, BigDecimal cash, BigDecimal totalExposure) {
        return decide(trade, rules, null, heldQuantity, positionCost, cash, totalExposure);
    }

    /**
     * @param targetPositionBefore what the target held of the instrument just before this trade, null if unknown:
     *                             a sell of part of it sells the same part of our holding
     */
    public static Decision decide(DetectedTrade trade, SizingRules rules, BigDecimal targetPositionBefore,
                                  BigDecimal heldQuantity, BigDecimal positionCost, BigDecimal cash,
                                  BigDecimal totalExposure) {
        BigDecimal wanted = trade.quantity().multiply(rules.copyRatio()).setScale(rules.quantityScale(), RoundingMode.DOWN);
        if (trade.side() == Side.SELL) {
            if (rules.sells().sizing() == SellSettings.Sizing.PROPORTIONAL && targetPositionBefore != null
                    && targetPositionBefore.signum() > 0) {
                return proportionalSell(trade, rules, targetPositionBefore, heldQuantity);
            }
            return sell(trade, rules, wanted, heldQuantity);
        }
        return buy(trade, rules, wanted, positionCost, cash, totalExposure);
    }

    private static Decision buy(DetectedTrade trade, SizingRules rules, BigDecimal wanted, BigDecimal positionCost,
                                BigDecimal cash, BigDecimal totalExposure) {
        BigDecimal limit = trade.price().multiply(BigDecimal.ONE.add(rules.maxSlippage()))
                .setScale(PRICE_SCALE, RoundingMode.DOWN);
        if (trade.price().compareTo(BigDecimal.ONE) < 0) {
            limit = limit.min(MAX_OUTCOME_PRICE).max(trade.price());
        }
        if (notionalBelowMinimum(wanted, limit, rules)) {
            return Decision.skip(Reason.SIZING_TOO_SMALL);
        }
        BigDecimal quantity = wanted;
        BigDecimal positionRoom = rules.maxPositionUsd().subtract(positionCost);
        BigDecimal byPosition = fit(positionRoom, limit, rules.quantityScale());
        if (byPosition.compareTo(quantity) < 0) {
            quantity = byPosition;
            if (notionalBelowMinimum(quantity, limit, rules)) {
                return Decision.skip(Reason.RISK_MAX_POSITION);
            }
        }
        BigDecimal portfolioValue = cash.add(totalExposure);
        BigDecimal exposureRoom = portfolioValue.multiply(rules.maxPortfolioExposure()).subtract(totalExposure);
        BigDecimal byExposure = fit(exposureRoom, limit, rules.quantityScale());
        if (byExposure.compareTo(quantity) < 0) {
            quantity = byExposure;
            if (notionalBelowMinimum(quantity, limit, rules)) {
                return Decision.skip(Reason.RISK_MAX_EXPOSURE);
            }
        }
        return new Decision(quantity, limit, null);
    }

    private static Decision sell(DetectedTrade trade, SizingRules rules, BigDecimal wanted, BigDecimal held) {
        BigDecimal holdable = held.setScale(rules.quantityScale(), RoundingMode.DOWN);
        if (holdable.signum() <= 0) {
            return Decision.skip(Reason.RISK_NOTHING_TO_SELL);
        }
        BigDecimal limit = sellLimit(trade, rules);
        BigDecimal quantity = wanted.min(holdable);
        if (notionalBelowMinimum(quantity, limit, rules)) {
            return Decision.skip(Reason.SIZING_TOO_SMALL);
        }
        return new Decision(quantity, limit, null);
    }

    private static Decision proportionalSell(DetectedTrade trade, SizingRules rules, BigDecimal targetBefore,
                                             BigDecimal held) {
        BigDecimal holdable = held.setScale(rules.quantityScale(), RoundingMode.DOWN);
        if (holdable.signum() <= 0) {
            return Decision.skip(Reason.RISK_NOTHING_TO_SELL);
        }
        BigDecimal limit = sellLimit(trade, rules);
        BigDecimal quantity = trade.quantity().compareTo(targetBefore) >= 0 ? holdable
                : holdable.multiply(trade.quantity()).divide(targetBefore, rules.quantityScale(), RoundingMode.DOWN);
        if (notionalBelowMinimum(quantity, limit, rules)) {
            if (!rules.sells().sellAllBelowMinimum() || notionalBelowMinimum(holdable, limit, rules)) {
                return Decision.skip(Reason.SIZING_TOO_SMALL);
            }
            quantity = holdable;
        }
        return new Decision(quantity, limit, null);
    }

    private static BigDecimal sellLimit(DetectedTrade trade, SizingRules rules) {
        return trade.price().multiply(BigDecimal.ONE.subtract(rules.maxSlippage()))
                .setScale(PRICE_SCALE, RoundingMode.UP).min(trade.price()).max(MIN_OUTCOME_PRICE);
    }

    /** The largest quantity at this price that costs at most {@code room}; zero when there is no room. */
    private static BigDecimal fit(BigDecimal room, BigDecimal price, int scale) {
        if (room.signum() <= 0) {
            return BigDecimal.ZERO.setScale(scale);
        }
        return room.divide(price, scale, RoundingMode.DOWN);
    }

    private static boolean notionalBelowMinimum(BigDecimal quantity, BigDecimal price, SizingRules rules) {
        if (quantity.signum() <= 0) {
            return true;
        }
        return Decimals.usd(quantity.multiply(price)).compareTo(rules.minOrderUsd()) < 0;
    }
}

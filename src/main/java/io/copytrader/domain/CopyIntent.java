package io.copytrader.domain;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What we decided to place for one detected trade: the sized, risk-checked order. Its client order id is
 * deterministic (see {@link ClientOrderId#of}).
 *
 * @param limitPrice the worst price we accept (the target's price moved by the slippage cap)
 * @param notional   limitPrice * quantity at USD scale: the most this order can cost
 */
public record CopyIntent(ClientOrderId clientOrderId, DetectedTrade source, InstrumentId instrument, Side side,
                         BigDecimal limitPrice, BigDecimal quantity, BigDecimal notional) {
    public CopyIntent {
        Objects.requireNonNull(clientOrderId, "clientOrderId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(instrument, "instrument");
        Objects.requireNonNull(side, "side");
        if (!Decimals.isPositive(limitPrice)) {
            throw new IllegalArgumentException("limitPrice must be positive, but was " + limitPrice);
        }
        if (!Decimals.isPositive(quantity)) {
            throw new IllegalArgumentException("quantity must be positive, but was " + quantity);
        }
        Objects.requireNonNull(notional, "notional");
    }
}

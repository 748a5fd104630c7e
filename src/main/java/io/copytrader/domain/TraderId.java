package io.copytrader.domain;

/** A target trader on a venue (a wallet address for Polymarket, a name on the paper venue). */
public record TraderId(String value) {
    public TraderId {
        Ids.require("TraderId", value);
    }

    @Override
    public String toString() {
        return value;
    }
}

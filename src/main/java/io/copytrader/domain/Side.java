package io.copytrader.domain;

import java.util.Locale;

public enum Side {
    BUY, SELL;

    /** Parses BUY/SELL in any case; anything else is an IllegalArgumentException naming the value. */
    public static Side parse(String text) {
        if (text != null) {
            switch (text.trim().toUpperCase(Locale.ROOT)) {
                case "BUY": return BUY;
                case "SELL": return SELL;
                default: break;
            }
        }
        throw new IllegalArgumentException("side must be BUY or SELL, but was " + (text == null ? "null" : "'" + Ids.abbreviate(text) + "'"));
    }
}

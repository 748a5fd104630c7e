package io.copytrader.domain;

/** The venue's id of one of a target trader's fills. */
public record SourceTradeId(String value) {
    public SourceTradeId {
        Ids.require("SourceTradeId", value);
    }

    @Override
    public String toString() {
        return value;
    }
}

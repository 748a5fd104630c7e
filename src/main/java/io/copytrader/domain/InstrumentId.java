package io.copytrader.domain;

/** What is traded: an outcome token id on prediction venues. */
public record InstrumentId(String value) {
    public InstrumentId {
        Ids.require("InstrumentId", value);
    }

    @Override
    public String toString() {
        return value;
    }
}

package io.copytrader.domain;

/** The venue's id of one of our orders. */
public record VenueOrderId(String value) {
    public VenueOrderId {
        Ids.require("VenueOrderId", value);
    }

    @Override
    public String toString() {
        return value;
    }
}

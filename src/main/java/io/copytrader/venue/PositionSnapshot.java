package io.copytrader.venue;

import io.copytrader.domain.InstrumentId;

import java.math.BigDecimal;

/** A holding as the venue reports it. */
public record PositionSnapshot(InstrumentId instrument, BigDecimal quantity, BigDecimal avgPrice) {
}

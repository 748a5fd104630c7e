package io.copytrader.store;

import io.copytrader.domain.InstrumentId;

import java.math.BigDecimal;

/** Our holding of one instrument: quantity and average cost. */
public record StoredPosition(InstrumentId instrument, BigDecimal quantity, BigDecimal avgPrice) {
}

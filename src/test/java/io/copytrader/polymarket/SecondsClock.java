package io.copytrader.polymarket;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * The engine's clock in the feed polling tests: the fakes' current second (it moves with the ticks), so a fill
 * indexed "now" is dated now by this clock too, as the Data API's fills are by a synchronised one.
 */
final class SecondsClock extends Clock {
    private final LongSupplier epochSecond;

    SecondsClock(LongSupplier epochSecond) {
        this.epochSecond = epochSecond;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochSecond(epochSecond.getAsLong());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}

package io.copytrader.domain;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class WallClockTest {
    static final Instant LAST = Instant.parse("2026-12-07T10:00:00Z");
    static final Duration EVERY = Duration.ofSeconds(5);

    @Test
    void isDueOnceThePeriodHasPassed() {
        assertThat(WallClock.due(LAST, EVERY, LAST)).isFalse();
        assertThat(WallClock.due(LAST, EVERY, LAST.plusMillis(4_999))).isFalse();
        assertThat(WallClock.due(LAST, EVERY, LAST.plusSeconds(5))).isTrue();
        assertThat(WallClock.due(LAST, EVERY, LAST.plusSeconds(60))).isTrue();
    }

    @Test
    void isDueAtOnceWhenTheLastRunIsAfterNow() {
        // the clock stepped back an hour: waiting for LAST + 5 s would wait out the hour too
        assertThat(WallClock.due(LAST, EVERY, LAST.minusSeconds(3_600))).isTrue();
        assertThat(WallClock.due(LAST, EVERY, LAST.minusNanos(1))).isTrue();
    }
}

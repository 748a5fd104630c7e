package io.copytrader.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * Periods measured on the wall clock (an injected {@link java.time.Clock}), which can step: NTP's first sync after a
 * boot, a VM restored, a date set by hand. A time of the last run after now can only come from a step back; waiting
 * for the period to pass would wait out the step as well, so it counts as due.
 */
public final class WallClock {
    private WallClock() {
    }

    /** Whether what last ran at {@code last} is due again at {@code now}, once every {@code every}. */
    public static boolean due(Instant last, Duration every, Instant now) {
        return now.isBefore(last) || !now.isBefore(last.plus(every));
    }
}

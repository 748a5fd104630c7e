package io.copytrader.paper;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;

/**
 * How one order fills.
 *
 * @param firstFraction the share of the quantity filled at placement, in [0, 1]
 * @param delay         when the rest fills, after placement (ignored for IMMEDIATE and NEVER)
 */
public record FillPlan(Kind kind, BigDecimal firstFraction, Duration delay) {
    /** The fill behaviours the paper venue simulates. */
    public enum Kind {
        /** Everything fills at placement. */
        IMMEDIATE,
        /** A fraction fills at placement, the rest after the delay. */
        PARTIAL_THEN_REST,
        /** Nothing at placement, everything after the delay. */
        RESTING_THEN_FILLED,
        /** Rests until canceled. */
        NEVER
    }

    public FillPlan {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(firstFraction, "firstFraction");
        Objects.requireNonNull(delay, "delay");
        if (firstFraction.signum() < 0 || firstFraction.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("firstFraction must be in [0, 1], but was " + firstFraction);
        }
    }

    public static FillPlan immediate() {
        return new FillPlan(Kind.IMMEDIATE, BigDecimal.ONE, Duration.ZERO);
    }

    public static FillPlan never() {
        return new FillPlan(Kind.NEVER, BigDecimal.ZERO, Duration.ZERO);
    }
}

package io.copytrader.paper;

import java.time.Duration;
import java.util.Objects;

/**
 * Probabilities of each {@link FillPlan.Kind} (they must add up to 1) and the delay range of resting orders.
 */
public record FillModelSettings(double immediate, double partial, double resting, double never,
                                Duration minDelay, Duration maxDelay) {
    /** Mostly immediate fills, some partial and resting ones, a few orders that never fill. */
    public static final FillModelSettings DEFAULT = new FillModelSettings(0.75, 0.10, 0.13, 0.02,
            Duration.ofMillis(100), Duration.ofSeconds(2));

    public FillModelSettings {
        requireProbability("immediate", immediate);
        requireProbability("partial", partial);
        requireProbability("resting", resting);
        requireProbability("never", never);
        double sum = immediate + partial + resting + never;
        if (Math.abs(sum - 1.0) > 1e-9) {
            throw new IllegalArgumentException("fill probabilities must add up to 1, but add up to " + sum);
        }
        Objects.requireNonNull(minDelay, "minDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (minDelay.isNegative() || maxDelay.compareTo(minDelay) < 0) {
            throw new IllegalArgumentException("fill delay must satisfy 0 <= min <= max, but was " + minDelay + ".." + maxDelay);
        }
    }

    /** Every order fills in full at placement. */
    public static FillModelSettings alwaysImmediate() {
        return new FillModelSettings(1, 0, 0, 0, Duration.ZERO, Duration.ZERO);
    }

    private static void requireProbability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("fill probability '" + name + "' must be in [0, 1], but was " + p);
        }
    }
}

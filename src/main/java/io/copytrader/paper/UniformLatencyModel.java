package io.copytrader.paper;

import java.time.Duration;
import java.util.Random;

/** Latency drawn uniformly from [min, max] milliseconds by a seeded {@link Random}. */
public final class UniformLatencyModel implements LatencyModel {
    private final Random random;
    private final long minMillis;
    private final long maxMillis;

    public UniformLatencyModel(long seed, long minMillis, long maxMillis) {
        if (minMillis < 0 || maxMillis < minMillis) {
            throw new IllegalArgumentException("latency must satisfy 0 <= min <= max, but was " + minMillis + ".." + maxMillis + " ms");
        }
        this.random = new Random(seed);
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
    }

    @Override
    public synchronized Duration next() {
        return uniform(random, minMillis, maxMillis);
    }

    /** A duration drawn uniformly from [min, max] milliseconds; shared with the other seeded models. */
    static Duration uniform(Random random, long minMillis, long maxMillis) {
        long span = maxMillis - minMillis;
        return Duration.ofMillis(minMillis + (span == 0 ? 0 : (long) (random.nextDouble() * (span + 1))));
    }
}

package io.copytrader.paper;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Random;

/**
 * A {@link FillModel} drawing plans from a seeded {@link Random}: the same seed gives the same sequence of plans.
 * Partial fills take a fraction between 0.10 and 0.90 (two decimals, so the filled quantity stays exact).
 */
public final class SeededFillModel implements FillModel {
    private final Random random;
    private final FillModelSettings settings;

    public SeededFillModel(long seed, FillModelSettings settings) {
        this.random = new Random(seed);
        this.settings = settings;
    }

    @Override
    public synchronized FillPlan plan() {
        double draw = random.nextDouble();
        if (draw < settings.immediate()) {
            return FillPlan.immediate();
        }
        if (draw < settings.immediate() + settings.partial()) {
            BigDecimal fraction = BigDecimal.valueOf(10 + random.nextInt(81), 2);
            return new FillPlan(FillPlan.Kind.PARTIAL_THEN_REST, fraction, delay());
        }
        if (draw < settings.immediate() + settings.partial() + settings.resting()) {
            return new FillPlan(FillPlan.Kind.RESTING_THEN_FILLED, BigDecimal.ZERO, delay());
        }
        return FillPlan.never();
    }

    private Duration delay() {
        return UniformLatencyModel.uniform(random, settings.minDelay().toMillis(), settings.maxDelay().toMillis());
    }
}

package io.copytrader.paper;

import java.util.Objects;

/**
 * One fault to inject, as {@code POST /admin/faults} takes it: fire with a probability per request (per emitted row
 * for MALFORMED_ROW), or for the next {@code burst} requests.
 *
 * @param probability       in [0, 1]; null when {@code burst} is given
 * @param burst             the number of requests (rows) to hit, then the fault clears; null when probabilistic
 * @param target            which requests; null for the kind's natural target
 * @param latencyMs         LATENCY only: the uniform range in milliseconds (default 5..50)
 * @param retryAfterSeconds RATE_LIMIT_429 only: the Retry-After value (default 1)
 * @param variant           MALFORMED_ROW only: the spoiling; null picks one at random per row (seeded)
 */
public record FaultSpec(FaultKind kind, Double probability, Integer burst, FaultTarget target, Range latencyMs,
                        Integer retryAfterSeconds, MalformedVariant variant) {
    /** A millisecond range, inclusive. */
    public record Range(long min, long max) {
        public Range {
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("range must satisfy 0 <= min <= max, but was " + min + ".." + max);
            }
        }
    }

    public FaultSpec {
        if (kind == null) {
            throw new IllegalArgumentException("fault 'kind' is missing; one of " + java.util.Arrays.toString(FaultKind.values()));
        }
        if ((probability == null) == (burst == null)) {
            throw new IllegalArgumentException("fault " + kind + " needs exactly one of 'probability' or 'burst'");
        }
        if (probability != null && !(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("fault probability must be in [0, 1], but was " + probability);
        }
        if (burst != null && burst < 1) {
            throw new IllegalArgumentException("fault burst must be at least 1, but was " + burst);
        }
        if (retryAfterSeconds != null && retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds must be >= 0, but was " + retryAfterSeconds);
        }
    }

    public static FaultSpec withProbability(FaultKind kind, double probability) {
        return new FaultSpec(kind, probability, null, null, null, null, null);
    }

    public static FaultSpec burst(FaultKind kind, int count) {
        return new FaultSpec(kind, null, count, null, null, null, null);
    }

    public FaultSpec onTarget(FaultTarget newTarget) {
        return new FaultSpec(kind, probability, burst, newTarget, latencyMs, retryAfterSeconds, variant);
    }

    public FaultSpec withLatency(long minMillis, long maxMillis) {
        return new FaultSpec(kind, probability, burst, target, new Range(minMillis, maxMillis), retryAfterSeconds, variant);
    }

    public FaultSpec withRetryAfter(int seconds) {
        return new FaultSpec(kind, probability, burst, target, latencyMs, seconds, variant);
    }

    public FaultSpec withVariant(MalformedVariant newVariant) {
        return new FaultSpec(kind, probability, burst, target, latencyMs, retryAfterSeconds, newVariant);
    }

    /** The target in force: the given one or the kind's natural target. */
    public FaultTarget effectiveTarget() {
        return Objects.requireNonNullElse(target, kind.naturalTarget());
    }

    public Range effectiveLatency() {
        return Objects.requireNonNullElse(latencyMs, new Range(5, 50));
    }

    public int effectiveRetryAfterSeconds() {
        return Objects.requireNonNullElse(retryAfterSeconds, 1);
    }
}

package io.copytrader.paper;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The faults in force and the seeded decisions to fire them (Nautilus-style simulator model). Active faults are
 * consulted in {@link FaultKind} order with one seeded {@link Random}, so the same seed and the same sequence of
 * requests give the same faults. LATENCY adds a delay and combines with at most one other fault, the first that
 * fires. A burst fault hits the next N matching requests (rows) and then clears itself. Thread-safe.
 */
public final class FaultModel {
    private final Random random;
    private final Map<FaultKind, Active> active = new EnumMap<>(FaultKind.class);
    private final Map<FaultKind, Long> fired = new EnumMap<>(FaultKind.class);

    public FaultModel(long seed) {
        this.random = new Random(seed);
    }

    /** Puts a fault in force, replacing any of the same kind. */
    public synchronized void inject(FaultSpec spec) {
        LatencyModel latency = null;
        if (spec.kind() == FaultKind.LATENCY) {
            FaultSpec.Range range = spec.effectiveLatency();
            latency = new UniformLatencyModel(random.nextLong(), range.min(), range.max());
        }
        active.put(spec.kind(), new Active(spec, latency, spec.burst() == null ? -1 : spec.burst()));
    }

    public synchronized void clear() {
        active.clear();
    }

    /** Decides the faults for one request. */
    public synchronized FaultDecision onRequest(FaultTarget.Request request) {
        if (active.isEmpty()) {
            return FaultDecision.NONE;
        }
        Duration delay = Duration.ZERO;
        for (Active fault : active.values().toArray(new Active[0])) {
            FaultKind kind = fault.spec.kind();
            if (kind == FaultKind.MALFORMED_ROW || !fault.spec.effectiveTarget().covers(request)
                    || (kind == FaultKind.INSUFFICIENT_BALANCE && request != FaultTarget.Request.PLACE_ORDER)) {
                continue;
            }
            if (!fires(fault)) {
                continue;
            }
            if (kind == FaultKind.LATENCY) {
                delay = fault.latency.next();
            } else {
                return new FaultDecision(delay, kind, fault.spec);
            }
        }
        return delay.isZero() ? FaultDecision.NONE : new FaultDecision(delay, null, null);
    }

    /** Decides whether the next emitted feed row is spoiled, and how. */
    public synchronized Optional<MalformedVariant> onFeedRow() {
        Active fault = active.get(FaultKind.MALFORMED_ROW);
        if (fault == null || !fires(fault)) {
            return Optional.empty();
        }
        MalformedVariant variant = fault.spec.variant();
        if (variant == null) {
            MalformedVariant[] all = MalformedVariant.values();
            variant = all[random.nextInt(all.length)];
        }
        return Optional.of(variant);
    }

    /** How many times each kind has fired. */
    public synchronized Map<FaultKind, Long> firedCounts() {
        return Map.copyOf(fired);
    }

    private boolean fires(Active fault) {
        boolean fires;
        if (fault.burstLeft > 0) {
            fires = true;
            if (--fault.burstLeft == 0) {
                active.remove(fault.spec.kind());
            }
        } else {
            fires = random.nextDouble() < fault.spec.probability();
        }
        if (fires) {
            fired.merge(fault.spec.kind(), 1L, Long::sum);
        }
        return fires;
    }

    private static final class Active {
        final FaultSpec spec;
        final LatencyModel latency;
        int burstLeft;

        Active(FaultSpec spec, LatencyModel latency, int burstLeft) {
            this.spec = spec;
            this.latency = latency;
            this.burstLeft = burstLeft;
        }
    }
}

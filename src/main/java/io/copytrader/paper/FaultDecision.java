package io.copytrader.paper;

import java.time.Duration;

/**
 * What the {@link FaultModel} decided for one request.
 *
 * @param delay   how long to wait first (zero when no LATENCY fault fired)
 * @param outcome the fault that replaces the normal answer, or null to answer normally
 * @param spec    the spec of {@code outcome} (its options), or null
 */
public record FaultDecision(Duration delay, FaultKind outcome, FaultSpec spec) {
    public static final FaultDecision NONE = new FaultDecision(Duration.ZERO, null, null);

    public boolean isNone() {
        return delay.isZero() && outcome == null;
    }
}

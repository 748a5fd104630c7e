package io.copytrader.ops.health;

import io.copytrader.engine.PipelineMetrics;
import org.apache.camel.health.HealthCheckResultBuilder;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Readiness: DOWN while some target trader's feed has failed {@code threshold} or more polls in a row (unreachable,
 * error answers, unreadable pages): nothing of that trader is being copied. UP again after one good poll. DOWN as well
 * while the detection timer has not ticked for {@code stallAfter}: a tick stuck in a poll, a stopped route, or a timer
 * thread killed by an Error escaping its task, none of which counts as a failed poll. UP again at the next tick.
 */
public final class FeedReadinessCheck extends ReadinessCheck {
    private final PipelineMetrics metrics;
    private final int threshold;
    private final Duration stallAfter;

    public FeedReadinessCheck(PipelineMetrics metrics, int threshold, Duration stallAfter) {
        super("trade-feed");
        this.metrics = metrics;
        this.threshold = threshold;
        this.stallAfter = stallAfter;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        StringBuilder failing = new StringBuilder();
        new TreeMap<>(metrics.feedFailures()).forEach((name, f) -> {
            // Camel writes the message into its JSON answer as it is: keep quotes and backslashes out
            String trader = name.replaceAll("[^A-Za-z0-9_.:-]", "?");
            builder.detail("feed." + trader + ".consecutive.failures", f.consecutive());
            if (f.consecutive() >= threshold) {
                failing.append(failing.isEmpty() ? "" : "; ").append("feed of ").append(trader).append(" failed ")
                        .append(f.consecutive()).append(" consecutive polls (last: ").append(f.lastError()).append(')');
            }
        });
        Duration sinceTick = metrics.sinceDetectionTick();
        builder.detail("detection.ms.since.tick", sinceTick.toMillis());
        if (sinceTick.compareTo(stallAfter) > 0) {
            failing.append(failing.isEmpty() ? "" : "; ").append("detection has not polled for ")
                    .append(sinceTick.toSeconds()).append(" s (stalled after ").append(stallAfter.toMillis())
                    .append(" ms)");
        }
        if (failing.isEmpty()) {
            builder.up();
        } else {
            builder.down().message(failing + "; threshold " + threshold);
        }
    }
}

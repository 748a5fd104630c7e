package io.copytrader.ops.health;

import io.copytrader.chain.ChainFeed;
import io.copytrader.ops.SecretMasker;
import org.apache.camel.health.HealthCheckResultBuilder;

import java.util.Map;

/**
 * Readiness, where chain detection is on: DOWN once the chain feed's worker has ended on an error it cannot survive
 * (out of memory, an internal error of the JVM): no fill of the chain is detected until the engine restarts, though
 * the process lives on. DOWN as well while the feed has failed {@code threshold} or more times in a row (the node
 * unreachable, a fill the engine fails to take again and again: the feed does not get past it), UP again once it
 * is live. Messages go through {@link SecretMasker}: a node's URL may carry a provider key.
 */
public final class ChainFeedReadinessCheck extends ReadinessCheck {
    private final ChainFeed feed;
    private final int threshold;

    public ChainFeedReadinessCheck(ChainFeed feed, int threshold) {
        super("chain-feed");
        this.feed = feed;
        this.threshold = threshold;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("chain.live", feed.isLive());
        builder.detail("chain.cursor", feed.cursor());
        builder.detail("chain.failures.in.a.row", feed.failuresInARow());
        builder.detail("chain.worker.errors", feed.workerErrors());
        builder.detail("chain.events.dropped", feed.droppedEvents());
        Throwable stopped = feed.stoppedBy().orElse(null);
        long failures = feed.failuresInARow();
        if (stopped != null) {
            builder.down().message(shown("chain detection stopped: the chain feed's worker ended on " + stopped
                    + "; restart the engine"));
        } else if (failures >= threshold) {
            builder.down().message(shown("chain feed failed " + failures + " times in a row (last: "
                    + feed.lastFailure() + "); threshold " + threshold));
        } else {
            builder.up();
        }
    }

    /** Masked, and kept out of the JSON's way (Camel writes the message into its answer as it is). */
    private static String shown(String message) {
        return SecretMasker.mask(message).replaceAll("[\"\\\\\\p{Cntrl}]", "?");
    }
}

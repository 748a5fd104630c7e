package io.copytrader.ops.health;

import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A readiness-only check of group {@code copytrader}: it says whether the engine is doing its job (copying), not
 * whether the process should be restarted, so liveness never includes it.
 */
abstract class ReadinessCheck extends AbstractHealthCheck {
    ReadinessCheck(String id) {
        super("copytrader", id);
    }

    @Override
    public final boolean isLiveness() {
        return false;
    }
}

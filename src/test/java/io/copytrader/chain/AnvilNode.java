package io.copytrader.chain;

import io.copytrader.bench.Anvil;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.util.List;

/**
 * Starts {@link Anvil} for a test. Without the anvil binary the test is skipped, except in CI ({@code CI=true}),
 * where it fails saying how to install it: tests on a real node never silently vanish from CI.
 */
public final class AnvilNode {
    private AnvilNode() {
    }

    public static Anvil start() {
        return start(List.of());
    }

    public static Anvil start(List<String> extra) {
        Path binary = Anvil.locate().orElse(null);
        if (binary == null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(Anvil.HOW_TO_INSTALL);
            }
            Assumptions.abort(Anvil.HOW_TO_INSTALL);
        }
        return Anvil.start(binary, extra);
    }
}

package io.copytrader.engine;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Remembers a configuration error raised while Camel Main was starting, so the launcher can print it plainly and
 * exit with code 2 however Camel reported it.
 */
public final class StartupFailure {
    private static final AtomicReference<RuntimeException> LAST = new AtomicReference<>();

    private StartupFailure() {
    }

    public static void record(RuntimeException e) {
        LAST.set(e);
    }

    /** The configuration error of the last start, or null; clears it. */
    public static RuntimeException take() {
        return LAST.getAndSet(null);
    }
}

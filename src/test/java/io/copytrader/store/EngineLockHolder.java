package io.copytrader.store;

import java.time.Duration;

/**
 * A process that takes a store's engine lock, says {@code locked} on stdout, and holds it until its stdin closes (or
 * it is killed): the other engine, for {@link EngineLockTest}.
 */
public final class EngineLockHolder {
    private EngineLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        StoreSettings settings = StoreSettings.of(args[0]);
        if (args.length > 2) {
            settings = settings.withCredentials(args[1], args[2]);
        }
        try (EngineLock lock = EngineLock.acquire(settings, Duration.ZERO, line -> { })) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the parent closes our stdin
            }
        }
    }
}

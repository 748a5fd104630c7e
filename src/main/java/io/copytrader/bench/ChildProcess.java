package io.copytrader.bench;

import java.util.concurrent.TimeUnit;

/** Stopping a child process the bench started: politely, then forcibly after 10 s (or at once if interrupted). */
final class ChildProcess {
    private ChildProcess() {
    }

    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

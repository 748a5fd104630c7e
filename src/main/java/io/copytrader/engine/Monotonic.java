package io.copytrader.engine;

/**
 * Milliseconds on the JVM's monotonic clock ({@link System#nanoTime}), for how long since something happened: a step
 * of the wall clock (NTP's first sync after a boot, a VM restored) neither stretches nor shrinks it. A step back of the
 * wall clock by an hour would otherwise keep a once-a-period log line quiet for that hour. Only differences of two
 * readings mean anything.
 */
public final class Monotonic {
    private Monotonic() {
    }

    /** Now, in milliseconds from an arbitrary origin. */
    public static long millis() {
        return System.nanoTime() / 1_000_000;
    }
}

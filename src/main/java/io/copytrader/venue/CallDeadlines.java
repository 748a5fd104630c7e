package io.copytrader.venue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The deadlines of HTTP calls that all get the same length: a call starts its deadline, and cancels it when it ends in
 * time; a deadline that passes first runs its call's cut (which drops the call's connection). One daemon thread looks
 * at the deadlines, and only when one can have passed.
 * <p>
 * A scheduled executor does the same with a wake of its thread at every call: a call's task becomes the head of its
 * empty queue, which signals the thread, which then waits for that task until the next call's signal. On this kind of
 * machine a wake costs its two threads about 20 us of CPU in the kernel, and the feed's poll, the monitor's lookups and
 * each order are calls: a profile of the engine polling 50 times a second put 6 % of its CPU in that timer. Here a call
 * only registers its deadline. The watching thread sleeps until the earliest deadline it knows, and at least one
 * deadline's length when it knows none; a call wakes it only when its own deadline comes before that. As every call
 * gets the same length, a later call's deadline is never earlier, so a steady flow of calls ending in time wakes the
 * thread once a deadline's length, not once a call.
 * <p>
 * A cut runs on the watching thread, at most one deadline after the call started plus the thread's own lateness; its
 * exceptions are logged and the thread goes on.
 */
public final class CallDeadlines implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallDeadlines.class);

    private final long lengthNanos;
    private final Duration length;
    private final Set<Deadline> live = ConcurrentHashMap.newKeySet();
    private final Thread watcher;
    /** When the watcher looks next (System.nanoTime): raised before it looks, lowered to what it found after. */
    private volatile long wakeAt;
    private volatile boolean closed;
    /** The watcher's looks so far (for tests). */
    private volatile long looks;

    /**
     * @param threadName the watching thread's name (a daemon: it never keeps the process alive)
     * @param length     every deadline's length from the start of its call
     */
    public CallDeadlines(String threadName, Duration length) {
        if (length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("a deadline's length must be positive, was " + length);
        }
        this.length = length;
        this.lengthNanos = length.toNanos();
        this.wakeAt = System.nanoTime() + lengthNanos;
        this.watcher = new Thread(this::watch, threadName);
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Every deadline's length. */
    public Duration length() {
        return length;
    }

    /**
     * Starts a call's deadline.
     *
     * @param cut run once if the deadline passes before {@link Deadline#cancel()}, on the watching thread
     */
    public Deadline start(Runnable cut) {
        Deadline due = new Deadline(System.nanoTime() + lengthNanos, cut);
        live.add(due);
        if (due.at - wakeAt < 0) {
            LockSupport.unpark(watcher); // the watcher would look only after this deadline
        }
        return due;
    }

    /** Deadlines started and neither cancelled nor passed. */
    public int pending() {
        return live.size();
    }

    /** How many times the watcher has looked at the deadlines (for tests). */
    long looks() {
        return looks;
    }

    /** The watching thread (for tests). */
    Thread watcher() {
        return watcher;
    }

    /** Stops the watcher; deadlines still pending never pass. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(watcher);
    }

    private void watch() {
        while (!closed) {
            long now = System.nanoTime();
            // raised before the look: a deadline started while the watcher looks, and missed by it, then compares
            // itself with a time no earlier than the one the watcher wakes at, and wakes it if it comes before
            long next = now + lengthNanos;
            wakeAt = next;
            looks++; // the watcher alone writes it
            for (Deadline due : live) {
                if (due.at - now <= 0) {
                    if (live.remove(due)) {
                        due.pass();
                    }
                } else if (due.at - next < 0) {
                    next = due.at;
                }
            }
            wakeAt = next;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(this, sleep);
            }
        }
        live.clear();
    }

    /** One call's deadline. */
    public final class Deadline {
        private final long at;
        private final Runnable cut;
        private volatile boolean passed;

        private Deadline(long at, Runnable cut) {
            this.at = at;
            this.cut = cut;
        }

        /** The call ended (in time or not): its cut will not run from now on. */
        public void cancel() {
            live.remove(this);
        }

        /** Whether the deadline passed before the call ended, and its cut ran (or is running). */
        public boolean passed() {
            return passed;
        }

        private void pass() {
            passed = true;
            try {
                cut.run();
            } catch (RuntimeException e) {
                LOG.warn("Cutting a call past its {} ms deadline failed", length.toMillis(), e);
            }
        }
    }
}

package io.copytrader.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The aggregate-fills route's executor ({@code executorService: fillHandOff}): one thread sends each completed fill
 * group on (link, filter, copy queue), in completion order, as Camel's own aggregator executor does. Unlike Camel's,
 * a group completed while {@code capacity} groups are already in hand (waiting or being sent) is never sent on the
 * thread that completed it: that thread waits for room.
 *
 * <p>Camel's executor (a single thread, a queue of 1,000, caller-runs when full) ran such a group on the completing
 * thread, detection's, inside the poll's own routing; its reactive executor then ran every later step of that poll
 * one stack frame deeper. With the aggregator thread behind (a page of 1,000 fills, each of its own order, while the
 * copy queue overflowed) the poll's stack grew by about ten frames a fill until it overflowed: the poll ended with a
 * {@link StackOverflowError} and trades of its page stayed in flight, never sent, until the engine stopped. Waiting
 * instead slows detection to what the engine can queue: its trades are admitted in the store already, and the cursor
 * moves once the page is through.
 *
 * <p>The hand-off's own thread completing a group (none of the shipped steps does) never waits: it would wait for
 * itself.
 */
public final class FillHandOff extends ThreadPoolExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(FillHandOff.class);
    /** About what Camel's aggregator executor holds (a queue of 1,000 and the running one) before it runs a group on
     * the completing thread. */
    public static final int CAPACITY = 1000;
    /** The counter of {@link #waits()}. */
    public static final String WAITS = "copytrader.detection.waits";
    private static final long LOOK_EVERY_MS = 100;

    private final Semaphore room;
    private final AtomicLong waits = new AtomicLong();
    private final AggregatedWarn waited = new AggregatedWarn(LOG,
            "Detection waited for the fill aggregator (the engine reads trades faster than it queues them)", 10_000);
    private volatile Thread worker;

    public FillHandOff(String threadName) {
        this(threadName, CAPACITY);
    }

    /** @param capacity the groups it holds (waiting or being sent) before a completing thread waits for room */
    public FillHandOff(String threadName, int capacity) {
        super(1, 1, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.room = new Semaphore(capacity);
        setThreadFactory(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            worker = t;
            return t;
        });
    }

    /**
     * Queues the task for the hand-off's thread; waits while it holds {@code capacity} tasks already.
     *
     * @throws RejectedExecutionException once shut down, or when the waiting thread is interrupted (its interrupt
     *                                    status kept)
     */
    @Override
    public void execute(Runnable task) {
        boolean held;
        if (Thread.currentThread() == worker) {
            held = room.tryAcquire();
        } else {
            if (!room.tryAcquire()) {
                awaitRoom();
            } else {
                waited.flush(); // the waits after the last line, once its period has passed (one read when none)
            }
            held = true;
        }
        try {
            super.execute(held ? new Held(task) : task);
        } catch (RuntimeException e) {
            if (held) {
                room.release();
            }
            throw e;
        }
    }

    private void awaitRoom() {
        waits.incrementAndGet();
        waited.event(CAPACITY + " groups waiting");
        try {
            while (!room.tryAcquire(LOOK_EVERY_MS, TimeUnit.MILLISECONDS)) {
                if (isShutdown()) {
                    throw new RejectedExecutionException("The fill aggregator's hand-off is shut down");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("Interrupted while waiting for the fill aggregator's hand-off", e);
        }
    }

    /** How many times a completing thread waited for room since the start. */
    public long waits() {
        return waits.get();
    }

    /** A task that holds a place: freed when it has run (or thrown). */
    private final class Held implements Runnable {
        private final Runnable task;

        Held(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            try {
                task.run();
            } finally {
                room.release();
            }
        }
    }
}

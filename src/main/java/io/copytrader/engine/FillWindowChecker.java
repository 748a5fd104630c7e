package io.copytrader.engine;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The aggregate-fills route's timeout checker ({@code timeoutCheckerExecutorService: fillWindowChecker}). Camel looks
 * for groups past their window every {@code completionTimeoutCheckerInterval} (10 ms) whether or not a group is open:
 * a hundred wake-ups a second in an engine that is waiting for trades. Here a periodic task (Camel's look for expired
 * groups) runs only while a group is open: when none is, it parks, and the first group opened schedules it again one
 * window later (a group cannot be past its window sooner; most, a polled page's, are completed at the page's end
 * before that, and the look then finds none and parks again: at 100 trades/s about a third of the wake-ups of a look
 * one period after each opening). What runs and when, with a group open past its window, is what Camel's own
 * checker does.
 * <p>
 * Other scheduling (e.g. a {@code completionInterval} added to the route) goes to the plain executor.
 */
public final class FillWindowChecker extends ScheduledThreadPoolExecutor {
    private final BooleanSupplier anyGroupOpen;
    private volatile Runnable afterEachLook = () -> { };
    private final Set<Gated> gated = new CopyOnWriteArraySet<>();
    private final AtomicInteger runs = new AtomicInteger();
    private final long windowNanos;

    /**
     * @param anyGroupOpen whether the route has an open group now ({@link FillGroups#hasGroups})
     * @param windowMillis the groups' window: the first look after a park comes no sooner than this after the group
     *                     that woke it was opened (nor sooner than a period)
     */
    public FillWindowChecker(BooleanSupplier anyGroupOpen, long windowMillis) {
        super(1, r -> {
            Thread t = new Thread(r, "copytrader-fill-window-checker");
            t.setDaemon(true);
            return t;
        });
        this.anyGroupOpen = anyGroupOpen;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, windowMillis));
        setRemoveOnCancelPolicy(true);
    }

    /** A group was opened: every parked periodic task runs again, one window (at least one period) from now. */
    public void groupOpened() {
        for (Gated task : gated) {
            if (task.parked.compareAndSet(true, false)) {
                task.scheduleIn(Math.max(task.periodNanos, windowNanos));
            }
        }
    }

    /**
     * Runs {@code look} after each look of a gated task, on this thread: the engine's own look for groups past their
     * window by the monotonic clock ({@link FillGroups#idleFor}), which Camel's look (by the wall clock) misses for as
     * long as the wall clock stepped back.
     */
    public FillWindowChecker alsoAfterEachLook(Runnable look) {
        this.afterEachLook = look;
        return this;
    }

    /** How many times a gated task has run since start (for tests). */
    public int runs() {
        return runs.get();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        Gated task = new Gated(command, unit.toNanos(delay));
        gated.add(task);
        task.next = schedule(task::step, initialDelay, unit);
        return task;
    }

    /** A periodic task that parks while no group is open; also its own future, for the caller to cancel. */
    private final class Gated implements ScheduledFuture<Object> {
        private final Runnable command;
        private final long periodNanos;
        private final AtomicBoolean parked = new AtomicBoolean();
        private volatile boolean cancelled;
        private volatile ScheduledFuture<?> next;

        Gated(Runnable command, long periodNanos) {
            this.command = command;
            this.periodNanos = periodNanos;
        }

        void step() {
            if (cancelled) {
                return;
            }
            if (anyGroupOpen.getAsBoolean()) {
                runs.incrementAndGet();
                try {
                    command.run();
                    afterEachLook.run();
                } finally {
                    scheduleNext();
                }
                return;
            }
            parked.set(true);
            // a group opened between the look above and the park: its groupOpened() may have found nothing parked
            if (anyGroupOpen.getAsBoolean() && parked.compareAndSet(true, false)) {
                scheduleNext();
            }
        }

        void scheduleNext() {
            scheduleIn(periodNanos);
        }

        void scheduleIn(long delayNanos) {
            if (!cancelled && !isShutdown()) {
                try {
                    next = schedule(this::step, delayNanos, TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException shutDown) {
                    // stopping: nothing to check any more
                }
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            cancelled = true;
            gated.remove(this);
            ScheduledFuture<?> pending = next;
            if (pending != null) {
                pending.cancel(false);
            }
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled;
        }

        @Override
        public Object get() {
            throw new UnsupportedOperationException("a periodic task has no result");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException("a periodic task has no result");
        }

        @Override
        public long getDelay(TimeUnit unit) {
            ScheduledFuture<?> pending = next;
            return pending == null ? 0 : pending.getDelay(unit);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}

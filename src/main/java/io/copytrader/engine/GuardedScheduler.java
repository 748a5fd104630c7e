package io.copytrader.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor of the engine's polls (detection's ticks, the monitor's passes: the {@code scheduler} endpoints'
 * {@code scheduledExecutorService}), on which an {@link Error} in one run does not end the runs after it. Camel's
 * scheduled consumer logs an Error and throws it on, and an executor ends a periodic task whose run threw: a stack
 * overflow in one feed poll (seen under overload in a bench search) stopped detection for good, the engine otherwise
 * running, health UP for a minute. Here the Error is logged (with its stack once a minute at most, the others counted)
 * and the next run comes as usual.
 */
public final class GuardedScheduler extends ScheduledThreadPoolExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedScheduler.class);
    private static final long STACK_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private final String name;
    private final AtomicInteger errors = new AtomicInteger();
    private volatile long lastStack = Long.MIN_VALUE / 2;

    /**
     * @param threadName the thread's name, as Camel names its own (the bench reads a stage's CPU by its endpoint in
     *                   the name)
     */
    public GuardedScheduler(String threadName) {
        super(1, daemon(threadName));
        this.name = threadName;
        setRemoveOnCancelPolicy(true);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, n.incrementAndGet() == 1 ? name : name + " #" + n.get());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return super.scheduleWithFixedDelay(guarded(command), initialDelay, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return super.scheduleAtFixedRate(guarded(command), initialDelay, period, unit);
    }

    /** Errors its runs threw since it started (each logged, the run after it made as usual). */
    public int errors() {
        return errors.get();
    }

    private Runnable guarded(Runnable command) {
        return () -> {
            try {
                command.run();
            } catch (Error e) {
                int count = errors.incrementAndGet();
                long now = System.nanoTime();
                if (now - lastStack >= STACK_EVERY_NANOS) {
                    lastStack = now;
                    LOG.error("A run of {} failed with an error ({} since the start); the next run comes as usual",
                            name, count, e);
                } else {
                    LOG.error("A run of {} failed with an error ({} since the start); the next run comes as usual: {}",
                            name, count, e.toString());
                }
            }
        };
    }
}

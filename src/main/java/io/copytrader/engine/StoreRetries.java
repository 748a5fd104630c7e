package io.copytrader.engine;

import io.copytrader.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Tries again, in place, a store write made before an order is sent when the store failed it with a transient error
 * ({@link StoreException#isTransient}: a dropped PostgreSQL connection, a SQLite file locked past the busy timeout):
 * at most {@link #ATTEMPTS} attempts, {@link #PAUSES_MS} apart, none once the engine is stopping. Before, one such
 * error failed the trade to the dead letters, to be replayed by hand, by which time it may be stale. Only for writes
 * that may be run twice: an attempt that reported an error may have been committed all the same (its answer lost), so
 * the write must either do the same thing again (an update to the same values) or tell its own earlier commit from
 * someone else's ({@link OrderPlacer}'s intent). Each retry is counted ({@code copytrader.store.writes.retried}) and
 * reported in a WARN line at most every 10 s ({@link AggregatedWarn}).
 */
public final class StoreRetries {
    private static final Logger LOG = LoggerFactory.getLogger(StoreRetries.class);
    /** Attempts at one write, the first included. */
    static final int ATTEMPTS = 3;
    /** The pause before the second attempt, and before the third. */
    static final long[] PAUSES_MS = {50, 150};

    private final PipelineMetrics metrics;
    private final LongConsumer pause;
    private volatile BooleanSupplier stopping = () -> false;
    private final AggregatedWarn retried = new AggregatedWarn(LOG,
            "Store writes before sending failed with a transient error and were tried again", 10_000);

    public StoreRetries(PipelineMetrics metrics) {
        this(metrics, StoreRetries::sleep);
    }

    /** @param pause waits the given milliseconds (tests record the pauses instead) */
    StoreRetries(PipelineMetrics metrics, LongConsumer pause) {
        this.metrics = metrics;
        this.pause = pause;
    }

    /** From when {@code stopping} says so, a failed write is not tried again (the engine is stopping). */
    public StoreRetries stoppingWhen(BooleanSupplier stopping) {
        this.stopping = stopping;
        return this;
    }

    /** One attempt at a write; {@code afterAFailure} says an earlier attempt of the same write reported an error. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run(boolean afterAFailure);
    }

    /**
     * Runs {@code attempt}, and runs it again after a transient store error, as the class says; the last error is
     * thrown (with the earlier ones suppressed) when the attempts run out, the engine is stopping, or the error is not
     * transient. {@code what} names the write in the WARN line; it is built only after a failure (the hot path pays
     * nothing for it).
     */
    public <T> T write(Supplier<String> what, Attempt<T> attempt) {
        retried.flush(); // the retries of a burst after its first line, once the period has passed
        StoreException failed = null;
        for (int n = 1; ; n++) {
            try {
                return attempt.run(failed != null);
            } catch (StoreException e) {
                if (failed != null) {
                    e.addSuppressed(failed);
                }
                failed = e;
                if (!e.isTransient() || n >= ATTEMPTS || stopping.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                metrics.storeWriteRetried();
                retried.event(what.get() + ", attempt " + (n + 1) + " of " + ATTEMPTS + ": " + e.getMessage());
                pause.accept(PAUSES_MS[n - 1]);
            }
        }
    }

    /** {@link #write(Supplier, Attempt)} for a write with no answer. */
    public void write(Supplier<String> what, Runnable write) {
        write(what, afterAFailure -> {
            write.run();
            return null;
        });
    }

    /**
     * Whether a write that failed with {@code failed} was committed all the same, as {@code written} reads it back; a
     * read that fails too is added to {@code failed} as suppressed and answers false (the error stands).
     */
    public static boolean committedAfterAll(StoreException failed, BooleanSupplier written) {
        try {
            return written.getAsBoolean();
        } catch (RuntimeException stillFailing) {
            failed.addSuppressed(stillFailing);
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the next failure is not tried again
        }
    }
}

package io.copytrader.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The single writer of a SQLite store, with group commit. SQLite takes one writer at a time and, with
 * {@code synchronous=FULL}, pays one fsync per commit; so one thread takes every write waiting at that moment, runs them
 * in one transaction and commits once, and only then answers each caller. A caller's write is on disk when its call
 * returns, exactly as with one commit per write, but five consumers share an fsync instead of queueing for five.
 *
 * <p>When a write in a batch fails, the batch is rolled back and its writes are run again one transaction each, so
 * only the failing write reports the error. A write that was acknowledged was committed; one that reports an error was
 * not.
 */
final class GroupCommitWriter implements AutoCloseable {

    /** Bounds one transaction, so a burst cannot build a commit that holds the file lock for long. */
    private static final int MAX_BATCH = 256;

    private static final class Pending<T> {
        final String what;
        final SqlWork<T> work;
        final CompletableFuture<T> result = new CompletableFuture<>();
        T value;

        Pending(String what, SqlWork<T> work) {
            this.what = what;
            this.work = work;
        }

        void run(Connection c) throws SQLException {
            value = work.run(c);
        }

        void succeed() {
            result.complete(value);
        }

        void fail(Throwable error) {
            result.completeExceptionally(error instanceof StoreException ? error
                    : new StoreException("could not " + what + ": " + error.getMessage(), error));
        }
    }

    private static final Pending<Void> STOP = new Pending<>("stop", c -> null);

    private final DataSource dataSource;
    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private boolean closed;

    GroupCommitWriter(DataSource dataSource, String name) {
        this.dataSource = dataSource;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Runs the work in the next group commit and returns its result once committed. Waits through interrupts: an
     * answer that came before the commit did would be a lie either way.
     */
    <T> T write(String what, SqlWork<T> work) {
        Pending<T> pending = new Pending<>(what, work);
        synchronized (this) {
            if (closed) {
                throw new StoreException("could not " + what + ": the store is closed", null);
            }
            queue.add(pending);
        }
        try {
            return pending.result.join();
        } catch (CompletionException e) {
            throw (StoreException) e.getCause();
        }
    }

    /** Writes waiting for the writer to take them (for tests). */
    int waiting() {
        return queue.size();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Commits what was submitted before, then stops the writer. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        List<Pending<?>> batch = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, through STOP, so nothing queued is left unanswered
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            stopping = batch.remove(STOP);
            try {
                if (!batch.isEmpty()) {
                    commit(batch);
                }
            } catch (Throwable unexpected) { // an Error: answer everyone rather than leave them waiting
                batch.forEach(p -> p.fail(unexpected));
            }
            batch.clear();
        }
    }

    private void commit(List<Pending<?>> batch) {
        try {
            runInOneTransaction(batch);
            batch.forEach(Pending::succeed);
        } catch (SQLException | RuntimeException batchFailure) {
            if (batch.size() == 1) {
                batch.get(0).fail(batchFailure);
                return;
            }
            for (Pending<?> one : batch) {
                try {
                    runInOneTransaction(List.of(one));
                    one.succeed();
                } catch (SQLException | RuntimeException e) {
                    one.fail(e);
                }
            }
        }
    }

    private void runInOneTransaction(List<Pending<?>> writes) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (Pending<?> w : writes) {
                    w.run(c);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
            // the pool puts auto-commit back when the connection returns
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}

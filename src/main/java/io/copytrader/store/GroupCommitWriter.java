package io.copytrader.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * The writes of a SQLite store, one transaction at a time, with group commit. SQLite takes one writer at a time and,
 * with {@code synchronous=FULL}, pays one fsync per commit. So a caller that finds no commit under way becomes the
 * leader: it takes every write waiting at that moment (its own included), runs them in one transaction, commits once
 * and answers them all. Callers that arrive meanwhile queue and wait; when the leader is done, one of them leads the
 * next batch. A caller's write is on disk when its call returns, exactly as with one commit per write, but five
 * consumers share an fsync instead of queueing for five; and a caller alone runs its write on its own thread, with no
 * hand-off.
 *
 * <p>When a write in a batch fails, the batch is rolled back and its writes run again one transaction each, so only
 * the failing write reports the error. A write that was acknowledged was committed; one that reports an error was not.
 */
final class GroupCommitWriter implements AutoCloseable {

    /** Bounds one transaction, so a burst cannot build a commit that holds the file lock for long. */
    private static final int MAX_BATCH = 256;

    private static final class Pending<T> {
        final String what;
        final SqlWork<T> work;
        boolean done;
        T value;
        StoreException error;

        Pending(String what, SqlWork<T> work) {
            this.what = what;
            this.work = work;
        }

        void run(Connection c) throws SQLException {
            value = work.run(c);
        }

        void fail(Throwable cause) {
            value = null;
            error = new StoreException("could not " + what + ": " + cause.getMessage(), cause);
        }

        T answer() {
            if (error != null) {
                throw error;
            }
            return value;
        }
    }

    private final DataSource dataSource;
    /** Guarded by this: writes not yet taken by a leader, whether a leader is committing, whether closed. */
    private final Queue<Pending<?>> waiting = new ArrayDeque<>();
    private boolean leading;
    private boolean closed;

    GroupCommitWriter(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Runs the work in a group commit and returns its result once committed. Waits through interrupts: an answer given
     * before the commit was would be a lie either way.
     */
    <T> T write(String what, SqlWork<T> work) {
        Pending<T> mine = new Pending<>(what, work);
        submitAndWait(List.of(mine));
        return mine.answer();
    }

    /**
     * Runs several writes in as few group commits as {@link #MAX_BATCH} allows (one, for up to that many with nothing
     * queued ahead) and returns their results in order once all are committed; a write that failed answers null (the
     * others are unaffected: a failing batch is retried one write at a time).
     */
    <T> List<T> writeAll(String what, List<SqlWork<T>> works) {
        List<Pending<T>> mine = new ArrayList<>(works.size());
        works.forEach(w -> mine.add(new Pending<>(what, w)));
        if (!mine.isEmpty()) {
            submitAndWait(mine);
        }
        List<T> answers = new ArrayList<>(mine.size());
        mine.forEach(p -> answers.add(p.error == null ? p.value : null));
        return answers;
    }

    /** Queues the writes together and returns when all are committed (or failed), leading batches as needed. */
    private void submitAndWait(List<? extends Pending<?>> mine) {
        // writes are taken oldest first and a batch is marked done only after the one before it, so the last of mine
        // done means all of mine are
        Pending<?> last = mine.get(mine.size() - 1);
        synchronized (this) {
            if (closed) {
                throw new StoreException("could not " + last.what + ": the store is closed", null);
            }
            waiting.addAll(mine);
        }
        boolean interrupted = false;
        while (true) {
            List<Pending<?>> batch = new ArrayList<>();
            synchronized (this) {
                while (leading && !last.done) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (last.done) {
                    break;
                }
                // lead: take the oldest waiting writes (mine among them unless a burst is queued ahead of them)
                leading = true;
                while (!waiting.isEmpty() && batch.size() < MAX_BATCH) {
                    batch.add(waiting.poll());
                }
            }
            try {
                commit(batch);
            } catch (Throwable unexpected) { // an Error: answer everyone rather than leave them waiting
                batch.forEach(p -> p.fail(unexpected));
            } finally {
                synchronized (this) {
                    batch.forEach(p -> p.done = true);
                    leading = false;
                    notifyAll();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes waiting for a leader to take them (for tests). */
    synchronized int waiting() {
        return waiting.size();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Refuses new writes, then waits until the ones already submitted are committed (or failed) and answered. */
    @Override
    public synchronized void close() {
        closed = true;
        boolean interrupted = false;
        while (leading || !waiting.isEmpty()) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void commit(List<Pending<?>> batch) {
        try {
            runInOneTransaction(batch);
        } catch (SQLException | RuntimeException batchFailure) {
            if (batch.size() == 1) {
                batch.get(0).fail(batchFailure);
                return;
            }
            for (Pending<?> one : batch) {
                try {
                    runInOneTransaction(List.of(one));
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

package io.copytrader.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

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
 * the failing write reports the error; unless the file stays locked by another connection (the batch and then a write
 * of it alone both failed so): then the batch's writes not yet run alone fail with that error at once. A write that was
 * acknowledged was committed; one that reports an error was not.
 *
 * <p>Forced and ordered writes. With {@code synchronous=FULL} (the default) every commit is fsync'd before its callers
 * are answered. A write submitted as <em>ordered</em> ({@link #write(String, SqlWork, boolean)} with {@code forced}
 * false) is committed the same way, but a batch made only of ordered writes commits with {@code synchronous=NORMAL}:
 * no fsync of its own. The write-ahead log is one file appended in commit order, and SQLite replays it after a power
 * cut only up to the first frame whose cumulative checksum fails, so what survives a power cut is always a prefix of
 * the commits: an ordered write is on disk at the latest when the next forced commit (or checkpoint) returns, and a
 * forced write's return means every write before it is on disk too. A killed process loses nothing either way (the
 * operating system has the bytes). The store submits as ordered only the writes that the next forced write covers
 * before anything leaves the process on their account (see JdbcTradeStore). Each batch sets the level it needs on
 * the writer's connection before it begins.
 *
 * <p>Every batch runs on the writer's own connection, kept open from batch to batch (see {@link #connection}), with its
 * statements compiled once and kept ({@link ReusedStatements}); the store's pool serves its reads.
 */
final class GroupCommitWriter implements AutoCloseable {

    /** Bounds one transaction, so a burst cannot build a commit that holds the file lock for long. */
    static final int MAX_BATCH = 256;

    private static final class Pending<T> {
        final String what;
        final SqlWork<T> work;
        /** Must be on disk when its caller is answered; false: ordered before the next forced write. */
        final boolean forced;
        /** The caller waiting for this write; set under the lock when queued. */
        Condition owner;
        boolean done;
        /**
         * Set only once the transaction that ran this write has committed: a write is answered as failed unless this
         * says otherwise, so a batch that ends in a way no handler foresaw (an Error, even one that breaks the
         * handling itself) never acknowledges a write that was not committed.
         */
        boolean committed;
        T value;
        StoreException error;

        Pending(String what, SqlWork<T> work, boolean forced) {
            this.what = what;
            this.work = work;
            this.forced = forced;
        }

        void run(Connection c) throws SQLException {
            value = work.run(c);
        }

        void fail(Throwable cause) {
            committed = false;
            value = null;
            error = new StoreException("could not " + what + ": " + cause.getMessage(), cause);
        }

        T answer() {
            if (error != null) {
                throw error;
            }
            if (!committed) {
                throw new StoreException("could not " + what + ": its transaction ended without a commit", null);
            }
            return value;
        }
    }

    private final DataSource dataSource;
    /** Guards the fields below; each caller waits on a condition of its own, so a commit wakes only whom it concerns. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a batch ends after close: close waits for the writes submitted before it. */
    private final Condition batchEnded = lock.newCondition();
    /** Writes not yet taken by a leader, oldest first. */
    private final Queue<Pending<?>> waiting = new ArrayDeque<>();
    private boolean leading;
    private boolean closed;
    /**
     * The {@code synchronous} level the store's connections are configured with, read at the first batch (every
     * connection gets the same pragmas); 0 until then. Ordered batches lower it to NORMAL only when it is higher.
     * This field and the two below are the leader's: leaders follow one another through {@link #lock}.
     */
    private int configuredSync;
    /**
     * The writer's own connection, kept from batch to batch. SQLite empties a connection's page cache whenever another
     * connection has written since that connection's last transaction, so batches run on pooled connections taken in
     * turn read the tables' pages again at almost every batch: at 100 trades/s, 14.7 page reads (pread) a trade
     * before, 1.1 with one connection. Opened at the first batch; closed with the writer, and dropped after a batch
     * that left it in doubt (a failed rollback or reset), to be opened again.
     */
    private Connection connection;
    /** {@link #connection} as the writes see it: statements compiled once and kept (see {@link ReusedStatements}). */
    private ReusedStatements statements;
    /** The {@code synchronous} level this writer last set on {@link #connection}; null when not known yet. */
    private Integer connectionSync;

    /**
     * @param dataSource where the writer's own connection comes from: a plain data source (the store passes the one
     *                   its pool draws from) or a pool with a connection to spare for as long as the writer is open
     */
    GroupCommitWriter(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Runs the work in a group commit and returns its result once committed. Waits through interrupts: an answer given
     * before the commit was would be a lie either way.
     */
    <T> T write(String what, SqlWork<T> work) {
        return write(what, work, true);
    }

    /**
     * Runs the work in a group commit and returns its result once committed: fsync'd when {@code forced}, else
     * ordered before the next forced write (see the class comment).
     */
    <T> T write(String what, SqlWork<T> work, boolean forced) {
        Pending<T> mine = new Pending<>(what, work, forced);
        submitAndWait(List.of(mine));
        return mine.answer();
    }

    /**
     * Runs several writes in as few group commits as {@link #MAX_BATCH} allows (one, for up to that many with nothing
     * queued ahead) and returns their results in order once all are committed; a write that failed answers null (the
     * others are unaffected: a failing batch is retried one write at a time).
     */
    <T> List<T> writeAll(String what, List<SqlWork<T>> works) {
        return writeAll(what, works, true);
    }

    /** {@link #writeAll(String, List)}, fsync'd when {@code forced}, else ordered before the next forced write. */
    <T> List<T> writeAll(String what, List<SqlWork<T>> works, boolean forced) {
        List<Pending<T>> mine = new ArrayList<>(works.size());
        works.forEach(w -> mine.add(new Pending<>(what, w, forced)));
        if (!mine.isEmpty()) {
            submitAndWait(mine);
        }
        List<T> answers = new ArrayList<>(mine.size());
        mine.forEach(p -> answers.add(p.committed ? p.value : null));
        return answers;
    }

    /**
     * Queues the writes together and returns when all are committed (or failed), leading batches as needed. A caller
     * waits on its own condition: the leader, when its batch ends, wakes the callers whose writes it answered and the
     * caller of the oldest write still waiting (to lead the next batch), and nobody else. Under load most callers
     * arrive while a commit is under way; waking them all at every commit (one monitor, notifyAll) woke each caller
     * about once for nothing.
     */
    private void submitAndWait(List<? extends Pending<?>> mine) {
        // writes are taken oldest first and a batch is marked done only after the one before it, so the last of mine
        // done means all of mine are
        Pending<?> last = mine.get(mine.size() - 1);
        Condition wakeUp = lock.newCondition();
        while (true) {
            List<Pending<?>> batch = new ArrayList<>();
            lock.lock();
            try {
                if (last.owner == null) { // first time round: queue them
                    if (closed) {
                        throw new StoreException("could not " + last.what + ": the store is closed", null);
                    }
                    for (Pending<?> p : mine) {
                        p.owner = wakeUp;
                        waiting.add(p);
                    }
                }
                while (leading && !last.done) {
                    wakeUp.awaitUninterruptibly(); // keeps the interrupt status for the caller
                }
                if (last.done) {
                    return;
                }
                // lead: take the oldest waiting writes (mine among them unless a burst is queued ahead of them)
                leading = true;
                while (!waiting.isEmpty() && batch.size() < MAX_BATCH) {
                    batch.add(waiting.poll());
                }
            } finally {
                lock.unlock();
            }
            try {
                commit(batch);
            } catch (Throwable unexpected) { // an Error: answer everyone rather than leave them waiting
                failQuietly(batch, unexpected);
            } finally {
                endBatch(batch, wakeUp);
            }
        }
    }

    /**
     * Fails every write of a batch that ended with an Error. Describing the failure may fail in turn (a stack
     * overflow has little room left, an Error's own message may throw): then the writes stay uncommitted, which
     * {@link Pending#answer()} reports as a failure, and the leader still ends the batch and wakes everyone.
     */
    private static void failQuietly(List<Pending<?>> batch, Throwable unexpected) {
        try {
            batch.forEach(p -> p.fail(unexpected));
        } catch (Throwable describingFailed) {
            // each write is still marked uncommitted: answered as failed
        }
    }

    /** Marks the batch answered and wakes its callers and the next leader. */
    private void endBatch(List<Pending<?>> batch, Condition leader) {
        lock.lock();
        try {
            Condition previous = leader;
            for (Pending<?> p : batch) {
                p.done = true;
                if (p.owner != previous) { // a caller's writes are adjacent: one signal each
                    p.owner.signal();
                    previous = p.owner;
                }
            }
            leading = false;
            Pending<?> next = waiting.peek();
            if (next != null) {
                next.owner.signal();
            }
            if (closed) {
                batchEnded.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes waiting for a leader to take them (for tests). */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new writes, then waits until the ones already submitted are committed (or failed) and answered. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            while (leading || !waiting.isEmpty()) {
                batchEnded.awaitUninterruptibly();
            }
            discardConnection(); // no batch can start any more
        } finally {
            lock.unlock();
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
            Exception stillLocked = null;
            for (Pending<?> one : batch) {
                if (stillLocked != null) {
                    one.fail(stillLocked);
                    continue;
                }
                try {
                    runInOneTransaction(List.of(one));
                } catch (SQLException | RuntimeException e) {
                    one.fail(e);
                    if (locked(batchFailure) && locked(e)) {
                        stillLocked = e;
                    }
                }
            }
        }
    }

    /**
     * SQLite's "database is locked" or "busy" (result codes 5 and 6, extended codes included): another connection held
     * the file past the busy timeout. Once a batch that failed so has a write alone fail so again, its writes not yet
     * run alone fail at once: each would wait the busy timeout out in turn (up to 257 waits for a full batch) and learn
     * nothing the first did not.
     */
    static boolean locked(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException sql) {
                int code = sql.getErrorCode() & 0xff;
                if (code == 5 || code == 6) {
                    return true;
                }
            }
        }
        return false;
    }

    private void runInOneTransaction(List<Pending<?>> writes) throws SQLException {
        boolean forced = writes.stream().anyMatch(w -> w.forced);
        Connection c = connection();
        try {
            syncFor(c, forced);
            c.setAutoCommit(false);
        } catch (SQLException | RuntimeException e) {
            discardConnection();
            throw e;
        }
        boolean ended = false; // committed or rolled back: the connection holds no transaction
        try {
            Connection view = statements.connection();
            for (Pending<?> w : writes) {
                w.run(view);
            }
            c.commit();
            ended = true;
            for (Pending<?> w : writes) {
                w.committed = true;
            }
        } catch (SQLException | RuntimeException | Error e) {
            // an Error too (returning to auto-commit would commit the half-run batch)
            statements.clear(); // no statement carries a failure's state into the next write
            ended = rollbackQuietly(c, e);
            throw e;
        } finally {
            if (!ended) {
                discardConnection(); // closing it drops what it holds; never return it to auto-commit, which commits
            } else if (connection != null) {
                try {
                    c.setAutoCommit(true); // between batches the connection holds no transaction
                } catch (SQLException e) {
                    discardConnection();
                }
            }
        }
    }

    /** The writer's connection, opened when there is none. The leader's only. */
    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = dataSource.getConnection();
            connectionSync = null;
            statements = new ReusedStatements(connection);
        }
        return connection;
    }

    /** Closes the writer's connection, quietly; the next batch opens another. */
    private void discardConnection() {
        Connection c = connection;
        connection = null;
        connectionSync = null;
        if (statements != null) {
            statements.clear();
            statements = null;
        }
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // it is being let go of: nothing to do about it
            }
        }
    }

    /**
     * Sets the connection's {@code synchronous} level for a batch: the configured one for a forced batch, NORMAL for an
     * ordered one when the configured level is higher (with NORMAL configured, nothing changes). Outside a transaction.
     */
    private void syncFor(Connection c, boolean forced) throws SQLException {
        Integer current = connectionSync;
        if (current == null) {
            current = readSync(c);
            if (configuredSync == 0) {
                configuredSync = current;
            }
        }
        int wanted = forced || configuredSync <= NORMAL ? configuredSync : NORMAL;
        if (wanted != current) {
            // kept for the connection as the writes' statements are: a batch switches the level back and forth (an
            // order's intent forced, its answer and the next admissions not), and compiling the pragma at each switch
            // was about 6 % of the writes' CPU at 100 trades a second
            try (PreparedStatement s = statements.connection().prepareStatement(SYNCHRONOUS[wanted])) {
                s.execute();
            }
        }
        connectionSync = wanted;
    }

    /** SQLite's {@code synchronous} levels: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
    private static final int NORMAL = 1;
    /** The pragma that sets each level, by level. */
    private static final String[] SYNCHRONOUS = {"PRAGMA synchronous = 0", "PRAGMA synchronous = 1",
        "PRAGMA synchronous = 2", "PRAGMA synchronous = 3"};

    static int readSync(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Rolls back; false if that failed too (the failure is added to the cause). */
    private static boolean rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
            return true;
        } catch (SQLException e) {
            cause.addSuppressed(e);
            return false;
        }
    }
}

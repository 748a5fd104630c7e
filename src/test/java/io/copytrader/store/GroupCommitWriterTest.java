package io.copytrader.store;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(30)
class GroupCommitWriterTest {

    @TempDir
    Path dir;

    private HikariDataSource pool;
    private GroupCommitWriter writer;
    private final ExecutorService callers = Executors.newFixedThreadPool(6);

    @BeforeEach
    void open() throws SQLException {
        pool = StoreFactory.pool(StoreSettings.of("jdbc:sqlite:" + dir.resolve("writer.db")));
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY)");
        }
        writer = new GroupCommitWriter(pool);
    }

    @AfterEach
    void close() {
        callers.shutdownNow();
        writer.close();
        pool.close();
    }

    @Test
    void shouldCommitAWaitingBatchTogetherAndFailOnlyTheWriteThatFailed() throws Exception {
        // 1. hold the writer inside a write so that the next ones queue up behind it
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> first = holdWriterInserting("k0", release);

        // 2. queue four good writes and one that breaks the primary key of the write being held
        List<CompletableFuture<Integer>> good = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            String key = "k" + i;
            good.add(submit("insert " + key, c -> insert(c, key)));
        }
        CompletableFuture<Integer> bad = submit("insert k0 again", c -> insert(c, "k0"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> writer.waiting() == 5);

        // 3. let go: the batch fails as a whole, then each write runs alone
        release.countDown();
        assertThat(first.get()).isEqualTo(1);
        for (CompletableFuture<Integer> f : good) {
            assertThat(f.get()).isEqualTo(1);
        }
        assertThatThrownBy(bad::join).hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("could not insert k0 again: ")
                .hasMessageContaining("UNIQUE constraint failed: t.k"); // its own cause, not the batch's
        assertThat(keys()).containsExactlyInAnyOrder("k0", "k1", "k2", "k3", "k4");
    }

    @Test
    void shouldFailABatchWholeWhenTheFileStaysLockedRatherThanWaitOutTheBusyTimeoutForEachWrite() throws Exception {
        StoreSettings impatient = new StoreSettings("jdbc:sqlite:" + dir.resolve("writer.db"), null, null, 2,
                StoreSettings.SqliteSync.FULL, 200);
        try (HikariDataSource impatientPool = StoreFactory.pool(impatient);
             GroupCommitWriter locked = new GroupCommitWriter(impatientPool);
             Connection other = pool.getConnection(); Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE"); // another process writing, and taking its time
            java.util.concurrent.atomic.AtomicInteger tried = new java.util.concurrent.atomic.AtomicInteger();
            List<SqlWork<Integer>> works = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String key = "k" + i;
                works.add(c -> {
                    tried.incrementAndGet();
                    return insert(c, key);
                });
            }

            assertThat(locked.writeAll("insert", works)).hasSize(10).containsOnlyNulls();
            // the batch waited out the busy timeout once, its first write alone once more; the other nine were
            // failed with that error without each waiting it out again (eleven waits before)
            assertThat(tried).hasValue(2);
            assertThatThrownBy(() -> locked.write("insert k10", c -> insert(c, "k10")))
                    .isInstanceOf(StoreException.class).hasMessageContaining("could not insert k10: ")
                    .hasMessageContaining("locked");

            s.execute("COMMIT");
            assertThat(locked.writeAll("insert", works)).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        }
        assertThat(keys()).hasSize(10);
    }

    @Test
    void shouldTellAFileLockedByAnotherConnectionFromAWriteThatFailedOnItsOwn() {
        assertThat(GroupCommitWriter.locked(new SQLException("database is locked", null, 5))).isTrue();
        assertThat(GroupCommitWriter.locked(new SQLException("database table is locked", null, 6))).isTrue();
        assertThat(GroupCommitWriter.locked(new RuntimeException(new SQLException("busy snapshot", null, 517))))
                .isTrue();
        assertThat(GroupCommitWriter.locked(new SQLException("UNIQUE constraint failed", null, 19))).isFalse();
        assertThat(GroupCommitWriter.locked(new RuntimeException("no SQL here"))).isFalse();
    }

    @Test
    void shouldAnswerAFailureAndCommitNothingWhenABatchEndsInAnError() throws Exception {
        List<CompletableFuture<Integer>> answers = batchOfAGoodWriteAndOneThatThrows(new Error("no room for k2"));

        // neither write is acknowledged, each told why, and neither is in the store (nothing committed the half-run
        // batch); the writer goes on writing
        assertThatThrownBy(answers.get(0)::join).hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("could not insert k1: no room for k2");
        assertThatThrownBy(answers.get(1)::join).hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("could not insert k2 and break: no room for k2");
        assertWriterGoesOnWithOnly("k0");
    }

    @Test
    void shouldAnswerAFailureAndCommitNothingWhenABatchEndsInAnErrorThatCannotEvenBeDescribed() throws Exception {
        List<CompletableFuture<Integer>> answers = batchOfAGoodWriteAndOneThatThrows(new UndescribableError());

        // the handling of the Error fails in turn: still neither write is acknowledged nor in the store
        assertThatThrownBy(answers.get(0)::join).hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("could not insert k1: its transaction ended without a commit");
        assertThatThrownBy(answers.get(1)::join).hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("could not insert k2 and break");
        assertWriterGoesOnWithOnly("k0");
    }

    /**
     * Holds the writer in a write of k0 while a good write of k1 and one that inserts k2 then throws {@code error}
     * queue into the next batch, lets go, and answers the two queued writes' futures (the held one must succeed).
     */
    private List<CompletableFuture<Integer>> batchOfAGoodWriteAndOneThatThrows(Error error) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> first = holdWriterInserting("k0", release);
        CompletableFuture<Integer> good = submit("insert k1", c -> insert(c, "k1"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> writer.waiting() == 1);
        CompletableFuture<Integer> broken = submit("insert k2 and break", c -> {
            insert(c, "k2");
            throw error;
        });
        await().atMost(10, TimeUnit.SECONDS).until(() -> writer.waiting() == 2);
        release.countDown();
        assertThat(first.get()).isEqualTo(1);
        return List.of(good, broken);
    }

    private void assertWriterGoesOnWithOnly(String key) throws SQLException {
        assertThat(keys()).containsExactly(key);
        int inserted = writer.write("insert k3", c -> insert(c, "k3"));
        assertThat(inserted).isEqualTo(1);
        assertThat(keys()).containsExactlyInAnyOrder(key, "k3");
    }

    /** An Error whose message throws: a failure handler with no room left, as deep in a stack overflow. */
    private static final class UndescribableError extends Error {
        @Override
        public String getMessage() {
            throw new IllegalStateException("no room to describe the failure");
        }
    }

    @Test
    void shouldAnswerEveryCallerOfAConcurrentBurstOnceItsWritesAreCommitted() throws Exception {
        // 24 callers, each writing alone or a page of three, 40 times, all at once: every caller is woken when its
        // writes are committed (a lost wake-up would hang here until the timeout) and every write is in the table
        int callersCount = 24;
        int rounds = 40;
        ExecutorService burst = Executors.newFixedThreadPool(callersCount);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Integer>> done = new ArrayList<>();
            for (int t = 0; t < callersCount; t++) {
                int caller = t;
                done.add(CompletableFuture.supplyAsync(() -> {
                    awaitOrFail(start);
                    int answered = 0;
                    for (int r = 0; r < rounds; r++) {
                        String key = "c" + caller + "-" + r;
                        if (caller % 2 == 0) {
                            answered += writer.write("insert " + key, c -> insert(c, key));
                        } else {
                            answered += writer.writeAll("insert page " + key, List.<SqlWork<Integer>>of(
                                    c -> insert(c, key), c -> insert(c, key + "b"), c -> insert(c, key + "c")))
                                    .stream().mapToInt(Integer::intValue).sum();
                        }
                        assertThat(has(key)).as(key).isTrue(); // committed when answered
                    }
                    return answered;
                }, burst));
            }
            start.countDown();
            int answered = 0;
            for (CompletableFuture<Integer> f : done) {
                answered += f.get(25, TimeUnit.SECONDS);
            }
            int expected = callersCount / 2 * rounds + callersCount / 2 * rounds * 3;
            assertThat(answered).isEqualTo(expected);
            assertThat(keys()).hasSize(expected);
            assertThat(writer.waiting()).isZero();
        } finally {
            burst.shutdownNow();
        }
    }

    @Test
    void shouldRunOneCallersWritesInOneTransactionAndAnswerEachInOrder() throws SQLException {
        // 1. ten writes handed over at once run on one connection, inside one transaction
        List<Connection> seen = new ArrayList<>();
        List<SqlWork<Integer>> works = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String key = "p" + i;
            works.add(c -> {
                assertThat(c.getAutoCommit()).isFalse();
                seen.add(c);
                return insert(c, key);
            });
        }
        assertThat(writer.writeAll("insert a page", works)).containsOnly(1).hasSize(10);
        assertThat(seen).hasSize(10).allSatisfy(c -> assertThat(c).isSameAs(seen.get(0)));

        // 2. one that fails answers null; the others of its page are committed all the same
        List<Integer> answers = writer.writeAll("insert a page", List.of(c -> insert(c, "q1"), c -> insert(c, "p3"),
                c -> insert(c, "q2")));
        assertThat(answers).containsExactly(1, null, 1);
        assertThat(writer.writeAll("insert nothing", List.<SqlWork<Integer>>of())).isEmpty();
        assertThat(keys()).hasSize(12).contains("q1", "q2");
    }

    @Test
    void shouldAnswerWhatWasQueuedBeforeCloseAndRefuseWhatCameAfter() throws Exception {
        // 1. hold the writer, queue a write behind it, and start closing
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> held = holdWriterInserting("a", release);
        CompletableFuture<Integer> queued = submit("insert b", c -> insert(c, "b"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> writer.waiting() == 1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(writer::close, callers);
        await().atMost(10, TimeUnit.SECONDS).until(writer::isClosed);

        // 2. a write after close is refused at once; the ones before it are committed
        assertThatThrownBy(() -> writer.write("insert c", c -> insert(c, "c")))
                .isInstanceOf(StoreException.class).hasMessageContaining("closed");
        release.countDown();
        assertThat(held.get()).isEqualTo(1);
        assertThat(queued.get()).isEqualTo(1);
        closing.get();
        assertThat(keys()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void shouldFsyncABatchWithAForcedWriteAndOnlyOrderAnOrderedOne() throws Exception {
        // 1. alone, an ordered write commits under NORMAL (no fsync of its own), a forced one under the configured FULL
        assertThat(writer.<Integer>write("ordered", c -> insertSeeingSync(c, "o1"), false)).isEqualTo(1);
        assertThat(writer.<Integer>write("forced", c -> insertSeeingSync(c, "f1"), true)).isEqualTo(2);
        assertThat(writer.<Integer>write("ordered again", c -> insertSeeingSync(c, "o2"), false)).isEqualTo(1);
        assertThat(writer.writeAll("ordered page", List.<SqlWork<Integer>>of(c -> insertSeeingSync(c, "o3")), false))
                .containsExactly(1);
        assertThat(writer.<Integer>write("forced by default", c -> insertSeeingSync(c, "f2"))).isEqualTo(2);

        // 2. a batch that mixes them is fsync'd as a whole: the ordered write in it commits under FULL too
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> held = holdWriterInserting("h", release);
        CompletableFuture<Integer> ordered = CompletableFuture.supplyAsync(
                () -> writer.<Integer>write("ordered in a mixed batch", c -> insertSeeingSync(c, "o4"), false), callers);
        await().atMost(10, TimeUnit.SECONDS).until(() -> writer.waiting() == 1);
        CompletableFuture<Integer> forced = CompletableFuture.supplyAsync(
                () -> writer.<Integer>write("forced in a mixed batch", c -> insertSeeingSync(c, "f3"), true), callers);
        await().atMost(10, TimeUnit.SECONDS).until(() -> writer.waiting() == 2);
        release.countDown();
        assertThat(held.get()).isEqualTo(1);
        assertThat(ordered.get()).isEqualTo(2);
        assertThat(forced.get()).isEqualTo(2);

        // 3. and the next write alone is ordered again: each batch sets the level it needs
        assertThat(writer.<Integer>write("ordered after", c -> insertSeeingSync(c, "o5"), false)).isEqualTo(1);
        assertThat(keys()).hasSize(9);
    }

    @Test
    void shouldLeaveAStoreConfiguredNormalAtNormalForEveryWrite() throws SQLException {
        try (HikariDataSource normal = StoreFactory.pool(StoreSettings.of("jdbc:sqlite:" + dir.resolve("normal.db"))
                .withSqliteSync(StoreSettings.SqliteSync.NORMAL));
             GroupCommitWriter w = new GroupCommitWriter(normal)) {
            try (Connection c = normal.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY)");
            }
            assertThat(w.<Integer>write("forced", c -> insertSeeingSync(c, "f"), true)).isEqualTo(1);
            assertThat(w.<Integer>write("ordered", c -> insertSeeingSync(c, "o"), false)).isEqualTo(1);
        }
    }

    @Test
    void shouldWriteEveryBatchOnOneConnectionOfItsOwnAndCloseItWithTheWriter() throws SQLException {
        List<Connection> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (GroupCommitWriter w = new GroupCommitWriter(counting(pool.getDataSource(), opened))) {
            assertThat(w.<Integer>write("forced", c -> insert(c, "a"), true)).isEqualTo(1);
            assertThat(w.<Integer>write("ordered", c -> insert(c, "b"), false)).isEqualTo(1);
            assertThatThrownBy(() -> w.write("a broken key", c -> insert(c, "a"))).isInstanceOf(StoreException.class);
            assertThat(w.writeAll("a page", List.<SqlWork<Integer>>of(c -> insert(c, "c"), c -> insert(c, "d"))))
                    .containsExactly(1, 1);
            assertThat(opened).as("one connection for every batch, a failed one included").hasSize(1);
            assertThat(opened.get(0).isClosed()).isFalse();
            assertThat(opened.get(0).getAutoCommit()).as("no transaction held between batches").isTrue();
        }
        assertThat(opened.get(0).isClosed()).as("closed with the writer").isTrue();
        assertThat(keys()).containsExactlyInAnyOrder("a", "b", "c", "d");
    }

    @Test
    void shouldLeaveNothingOfAFailedWriteOnTheConnectionItKeeps() {
        // the writer keeps its connection, and turning auto-commit back on commits whatever a transaction still holds:
        // a failed write must have been rolled back before that
        assertThatThrownBy(() -> writer.write("insert, then fail", c -> {
            insert(c, "half");
            throw new SQLException("the write's second statement failed");
        })).isInstanceOf(StoreException.class).hasMessageContaining("second statement failed");
        assertThat(writer.<Integer>write("next", c -> insert(c, "next"))).isEqualTo(1);
        assertThat(has("half")).as("the failed write's first row").isFalse();
        assertThat(has("next")).isTrue();
    }

    @Test
    void shouldCompileEachStatementOnceAcrossBatchesAndAgainAfterAFailedOne() throws SQLException {
        List<String> compiled = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (GroupCommitWriter w = new GroupCommitWriter(countingPrepares(pool.getDataSource(), compiled))) {
            assertThat(w.<Integer>write("forced", c -> insert(c, "a"), true)).isEqualTo(1);
            assertThat(w.<Integer>write("ordered", c -> insert(c, "b"), false)).isEqualTo(1);
            assertThat(w.writeAll("a page", List.<SqlWork<Integer>>of(c -> insert(c, "c"), c -> insert(c, "d"))))
                    .containsExactly(1, 1);
            assertThat(compiled).filteredOn(sql -> sql.startsWith("INSERT"))
                    .as("one INSERT compiled for four writes in three batches").hasSize(1);
            // the level goes back and forth with the batches (FULL, NORMAL, FULL, NORMAL): each pragma compiled once
            assertThat(w.<Integer>write("forced again", c -> insertSeeingSync(c, "f"), true)).isEqualTo(2);
            assertThat(w.<Integer>write("ordered again", c -> insertSeeingSync(c, "g"), false)).isEqualTo(1);
            assertThat(compiled).filteredOn(sql -> sql.startsWith("PRAGMA synchronous ="))
                    .as("each level's pragma compiled once, however often the batches switch")
                    .containsExactlyInAnyOrder("PRAGMA synchronous = 1", "PRAGMA synchronous = 2");

            assertThatThrownBy(() -> w.write("a broken key", c -> insert(c, "a"))).isInstanceOf(StoreException.class);
            assertThat(w.<Integer>write("after the failure", c -> insert(c, "e"))).isEqualTo(1);
            assertThat(compiled).filteredOn(sql -> sql.startsWith("INSERT"))
                    .as("a failed batch lets its statements go").hasSize(2);
        }
        assertThat(keys()).containsExactlyInAnyOrder("a", "b", "c", "d", "e", "f", "g");
    }

    @Test
    void shouldOpenAnotherConnectionWhenABatchLostItsOwn() throws SQLException {
        List<Connection> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (GroupCommitWriter w = new GroupCommitWriter(counting(pool.getDataSource(), opened))) {
            assertThatThrownBy(() -> w.write("lose the connection", c -> {
                insert(c, "lost");
                c.close(); // neither the commit nor the rollback can run on it now
                return 1;
            })).isInstanceOf(StoreException.class).hasMessageContaining("could not lose the connection");
            assertThat(w.<Integer>write("after", c -> insert(c, "after"))).isEqualTo(1);
            assertThat(opened).hasSize(2);
        }
        assertThat(keys()).containsExactly("after");
    }

    @Test
    void shouldWriteWhileAReaderHoldsTheOnlyConnectionOfTheStoresPool() throws Exception {
        // the writer's connection is its own, not one of the pool's: with a pool of one it would starve every reader,
        // or wait for one
        StoreSettings one = new StoreSettings("jdbc:sqlite:" + dir.resolve("one.db"), null, null, 1,
                StoreSettings.SqliteSync.FULL, 5_000);
        try (HikariDataSource single = StoreFactory.pool(one)) {
            StoreFactory.migrate(single);
            JdbcTradeStore store = new JdbcTradeStore(single, java.time.Clock.systemUTC(), null);
            try (Connection reader = single.getConnection()) {
                assertThat(CompletableFuture.supplyAsync(() -> store.admit(TradeFixtures.trade("t-1")), callers)
                        .get(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(store.detectedCount()).isEqualTo(1);
            store.close();
        }
    }

    @Test
    void shouldCommitABurstInTransactionsOfAtMostMaxBatchWrites() throws SQLException {
        java.util.concurrent.atomic.AtomicInteger commits = new java.util.concurrent.atomic.AtomicInteger();
        try (GroupCommitWriter w = new GroupCommitWriter(intercepted(pool.getDataSource(), (c, m, a) -> {
            if (m.getName().equals("commit")) {
                commits.incrementAndGet();
            }
            return invoke(c, m, a);
        }))) {
            List<SqlWork<Integer>> works = new ArrayList<>();
            for (int i = 0; i <= GroupCommitWriter.MAX_BATCH; i++) {
                String key = "b" + i;
                works.add(c -> insert(c, key));
            }
            assertThat(w.writeAll("insert a burst", works)).hasSize(GroupCommitWriter.MAX_BATCH + 1).containsOnly(1);
            assertThat(commits).as("one transaction of MAX_BATCH writes, then one of the write left").hasValue(2);
        }
        assertThat(keys()).hasSize(GroupCommitWriter.MAX_BATCH + 1);
    }

    @Test
    void shouldLetGoOfAConnectionWhoseRollbackFailedSoNothingOfTheFailedWriteIsCommittedLater() throws SQLException {
        // the rollback of the failed write fails and leaves its transaction open: kept, or turned back to auto-commit,
        // the connection would commit the failed write's first row with the next write
        List<Connection> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (GroupCommitWriter w = new GroupCommitWriter(
                failingOnce(opened, "rollback", args -> true, "the rollback failed too"))) {
            assertThatThrownBy(() -> w.write("insert, then fail", c -> {
                insert(c, "half");
                throw new SQLException("the write's second statement failed");
            })).isInstanceOf(StoreException.class).hasMessageContaining("second statement failed")
                    .satisfies(e -> assertThat(e.getCause().getSuppressed()).singleElement()
                            .satisfies(r -> assertThat(r).hasMessage("the rollback failed too")));
            assertThat(w.<Integer>write("next", c -> insert(c, "next"))).isEqualTo(1);
            assertThat(opened).as("the connection in doubt let go, another opened").hasSize(2);
        }
        assertThat(keys()).containsExactly("next");
    }

    @Test
    void shouldCommitEachWriteOfABatchWhoseCommitFailedOnceAndNoneTwice() throws SQLException {
        List<Connection> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (GroupCommitWriter w = new GroupCommitWriter(
                failingOnce(opened, "commit", args -> true, "disk I/O error while committing"))) {
            // the batch's commit fails: each write runs again in a transaction of its own, and is answered once
            assertThat(w.writeAll("insert a page", List.<SqlWork<Integer>>of(c -> insert(c, "a"), c -> insert(c, "b"),
                    c -> insert(c, "c")))).containsExactly(1, 1, 1);
            assertThat(keys()).containsExactlyInAnyOrder("a", "b", "c");
        }
        try (GroupCommitWriter w = new GroupCommitWriter(
                failingOnce(opened, "commit", args -> true, "disk I/O error while committing"))) {
            // a write alone whose commit fails is told so, and is not in the store
            assertThatThrownBy(() -> w.write("insert d", c -> insert(c, "d"))).isInstanceOf(StoreException.class)
                    .hasMessage("could not insert d: disk I/O error while committing");
            assertThat(has("d")).isFalse();
            assertThat(w.<Integer>write("insert d again", c -> insert(c, "d"))).isEqualTo(1);
        }
        assertThat(keys()).containsExactlyInAnyOrder("a", "b", "c", "d");
    }

    @Test
    void shouldLetGoOfAConnectionOnWhichNoTransactionCouldBegin() throws SQLException {
        List<Connection> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (GroupCommitWriter w = new GroupCommitWriter(
                failingOnce(opened, "setAutoCommit", args -> Boolean.FALSE.equals(args[0]), "disk I/O error"))) {
            assertThatThrownBy(() -> w.write("insert first", c -> insert(c, "first")))
                    .isInstanceOf(StoreException.class).hasMessage("could not insert first: disk I/O error");
            assertThat(w.<Integer>write("insert second", c -> insert(c, "second"))).isEqualTo(1);
            assertThat(opened).as("the connection in doubt let go, another opened").hasSize(2);
        }
        assertThat(keys()).containsExactly("second");
    }

    /**
     * The pool's data source, noting the connections it opens: the first call of {@code method} whose arguments
     * {@code when} accepts fails with {@code failure} instead of reaching the connection.
     */
    private javax.sql.DataSource failingOnce(List<Connection> opened, String method,
                                             java.util.function.Predicate<Object[]> when, String failure) {
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        return intercepted(counting(pool.getDataSource(), opened), (c, m, a) -> {
            if (m.getName().equals(method) && when.test(a) && !failed.getAndSet(true)) {
                throw new SQLException(failure);
            }
            return invoke(c, m, a);
        });
    }

    @Test
    void shouldAcknowledgeACommittedWriteWhoseConnectionCouldNotReturnToAutoCommitAndLetThatConnectionGo()
            throws SQLException {
        List<Connection> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (GroupCommitWriter w = new GroupCommitWriter(
                failingOnce(opened, "setAutoCommit", args -> Boolean.TRUE.equals(args[0]), "disk I/O error"))) {
            assertThat(w.<Integer>write("insert first", c -> insert(c, "first"))).isEqualTo(1);
            assertThat(has("first")).as("committed before the connection failed").isTrue();
            assertThat(w.<Integer>write("insert second", c -> insert(c, "second"))).isEqualTo(1);
            assertThat(opened).as("the connection in doubt let go, another opened").hasSize(2);
        }
        assertThat(keys()).containsExactlyInAnyOrder("first", "second");
    }

    /** What a connection's calls go through: answers for the real connection, calling on it or not. */
    private interface ConnectionCalls {
        Object call(Connection real, java.lang.reflect.Method method, Object[] args) throws Throwable;
    }

    /** The data source, every call on its connections made through {@code calls}. */
    private static javax.sql.DataSource intercepted(javax.sql.DataSource source, ConnectionCalls calls) {
        return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
                javax.sql.DataSource.class.getClassLoader(), new Class<?>[] {javax.sql.DataSource.class},
                (proxy, method, args) -> {
                    Object answer = invoke(source, method, args);
                    if (!(answer instanceof Connection c)) {
                        return answer;
                    }
                    return java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                            new Class<?>[] {Connection.class}, (p, m, a) -> calls.call(c, m, a));
                });
    }

    /** The data source, its connections counting the statements they compile. */
    /** The data source, noting the SQL of every statement prepared on its connections. */
    private static javax.sql.DataSource countingPrepares(javax.sql.DataSource source, List<String> compiled) {
        return intercepted(source, (c, m, a) -> {
            if (m.getName().equals("prepareStatement")) {
                compiled.add((String) a[0]);
            }
            return invoke(c, m, a);
        });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The data source, noting every connection it hands out. */
    private static javax.sql.DataSource counting(javax.sql.DataSource source, List<Connection> opened) {
        return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
                javax.sql.DataSource.class.getClassLoader(), new Class<?>[] {javax.sql.DataSource.class},
                (proxy, method, args) -> {
                    try {
                        Object answer = method.invoke(source, args);
                        if (answer instanceof Connection c) {
                            opened.add(c);
                        }
                        return answer;
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Inserts the key and answers the {@code synchronous} level its transaction commits under (2 FULL, 1 NORMAL). */
    private static int insertSeeingSync(Connection c, String key) throws SQLException {
        insert(c, key);
        return GroupCommitWriter.readSync(c);
    }

    private <T> CompletableFuture<T> submit(String what, SqlWork<T> work) {
        return CompletableFuture.supplyAsync(() -> writer.write(what, work), callers);
    }

    /** Returns once the writer is inside a write that inserts {@code key} when {@code release} opens. */
    private CompletableFuture<Integer> holdWriterInserting(String key, CountDownLatch release) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CompletableFuture<Integer> held = submit("hold", c -> {
            holding.countDown();
            awaitOrFail(release);
            return insert(c, key);
        });
        holding.await();
        return held;
    }

    private static void awaitOrFail(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int insert(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (k) VALUES (?)")) {
            ps.setString(1, key);
            return ps.executeUpdate();
        }
    }

    private boolean has(String key) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM t WHERE k = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> keys() throws SQLException {
        List<String> keys = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT k FROM t")) {
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
        }
        return keys;
    }
}

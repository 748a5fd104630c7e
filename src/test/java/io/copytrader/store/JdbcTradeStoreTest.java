package io.copytrader.store;

import com.zaxxer.hikari.HikariDataSource;
import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.VenueOrderId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.copytrader.store.TradeFixtures.ALICE;
import static io.copytrader.store.TradeFixtures.YES_TOKEN;
import static io.copytrader.store.TradeFixtures.intent;
import static io.copytrader.store.TradeFixtures.trade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract on SQLite in a temporary directory, plus what only a durable store can promise. */
class JdbcTradeStoreTest extends TradeStoreContractTest {

    @TempDir
    Path dir;

    private String url() {
        return "jdbc:sqlite:" + dir.resolve("store.db");
    }

    @Override
    protected TradeStore createStore(Clock clock) {
        return StoreFactory.open(url(), clock);
    }

    @Test
    void shouldKeepEverythingAcrossAReopen() {
        DetectedTrade copied = trade("copied");
        DetectedTrade open = trade("open");
        store.admit(copied);
        store.admit(open);
        store.recordIntent(copied.key(), intent(copied));
        store.finish(copied.key(), TradeOutcome.COPIED, null, null);
        store.saveCursor(ALICE, "c-9");
        long letter = store.addDeadLetter(open, Reason.EXCHANGE_CIRCUIT_OPEN, "breaker open");
        store.close();

        store = createStore(clock);

        assertThat(store.trade(copied.key())).contains(copied);
        assertThat(store.inFlight()).containsExactly(open);
        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.COPIED, 1L);
        assertThat(store.order(copied.clientOrderId()).orElseThrow().intent()).isEqualTo(intent(copied));
        assertThat(store.cursor(ALICE)).contains("c-9");
        assertThat(store.deadLetters()).extracting(DeadLetter::id).containsExactly(letter);
        assertThat(store.admit(copied)).isFalse();
        assertThat(store.addDeadLetter(copied, Reason.UNEXPECTED_ERROR, null)).isGreaterThan(letter);
        assertThat(store.ordersIn(List.of(OrderRecordState.SUBMITTING))).hasSize(1);
    }

    @Test
    void shouldCompileEachReadOncePerPooledConnectionAndStillSeeEveryWrite() {
        ReadStatements reads = ((JdbcTradeStore) store).readStatements();
        DetectedTrade first = trade("first");
        DetectedTrade second = trade("second");
        store.admit(first);
        store.recordIntent(first.key(), intent(first));

        for (int i = 0; i < 50; i++) {
            assertThat(store.ordersIn(List.of(OrderRecordState.SUBMITTING))).hasSize(1);
            assertThat(store.inFlight()).containsExactly(first);
        }
        store.admit(second);
        assertThat(store.inFlight()).containsExactly(first, second);
        store.finish(first.key(), TradeOutcome.COPIED, null, null);
        assertThat(store.inFlight()).containsExactly(second);

        // two distinct queries, each compiled at most once on each connection the pool lent for them
        assertThat(reads.connections()).isPositive();
        assertThat(reads.prepared()).isBetween(2L, 2L * reads.connections());
    }

    @Test
    void shouldLeaveNoReadTransactionOpenThatHoldsBackTheCheckpoint() throws Exception {
        DetectedTrade t = trade("t-1");
        store.admit(t);
        for (int i = 0; i < 20; i++) {
            store.inFlight();
            store.outcome(t.key());
        }
        try (Connection probe = java.sql.DriverManager.getConnection(url())) {
            try (java.sql.Statement s = probe.createStatement()) {
                s.execute("PRAGMA busy_timeout = 0");
            }
            // the probe sees a reader: one statement stepped and not reset, on another connection
            try (Connection reader = java.sql.DriverManager.getConnection(url());
                 java.sql.PreparedStatement ps = reader.prepareStatement("SELECT trade_key FROM trades");
                 java.sql.ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(truncatingCheckpointBusy(probe)).as("a reader in the middle of a query").isEqualTo(1);
            }
            // the kept statements of the store's reads hold nothing
            assertThat(truncatingCheckpointBusy(probe)).isZero();
        }
        assertThat(java.nio.file.Files.size(dir.resolve("store.db-wal"))).as("the log truncated").isZero();
    }

    /** {@code PRAGMA wal_checkpoint(TRUNCATE)}'s first column: 1 if a reader or writer kept it from finishing. */
    private static int truncatingCheckpointBusy(Connection c) throws Exception {
        try (java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
        }
    }

    @Test
    void shouldCountEndedTradesByOutcomeAndReasonFromAnIndexAlone() throws Exception {
        store.admit(trade("copied"));
        store.finish(trade("copied").key(), TradeOutcome.COPIED, null, null);

        // what a starting engine reads over every trade it ever ended: SQLite's plan must not visit the table's rows
        assertThat(plan(JdbcTradeStore.OUTCOME_COUNTS_BY_REASON))
                .anySatisfy(step -> assertThat(step).contains("USING COVERING INDEX trades_outcome"));
        assertThat(store.outcomeCountsByReason()).containsOnlyKeys(TradeOutcome.COPIED);
    }

    @Test
    void shouldFindTheReplayedTradesInFlightWithoutScanningTheDeadLetters() throws Exception {
        DetectedTrade replayed = trade("replayed");
        store.admit(replayed);
        store.markReplayed(store.addDeadLetter(replayed, Reason.EXCHANGE_CIRCUIT_OPEN, null));
        store.admit(trade("other"));

        // the monitor asks at every pass; a long-running engine has tens of thousands of letters: a trade's letters
        // are found through an index on the trade (the replayed ones', or, since the replay must be of a letter its
        // trade was not admitted after, the one of the letters not marked admitted)
        assertThat(plan(JdbcTradeStore.inFlightQuery(JdbcTradeStore.REPLAYED)))
                .anySatisfy(step -> assertThat(step).containsAnyOf("USING INDEX dead_letters_replayed",
                        "USING INDEX dead_letters_before_admission"))
                .noneSatisfy(step -> assertThat(step).startsWith("SCAN"));
        assertThat(store.replayedInFlight()).containsExactly(replayed);
    }

    @Test
    void shouldFindTheLettersAnAdmissionMarksThroughTheirIndex() throws Exception {
        for (int i = 0; i < 50; i++) {
            store.addDeadLetter(trade("letter-" + i), Reason.UNEXPECTED_ERROR, null);
        }

        // asked at every admitted trade: never a scan of every letter
        assertThat(plan(JdbcTradeStore.MARK_LETTERS_ADMITTED))
                .anySatisfy(step -> assertThat(step).contains("USING INDEX dead_letters_before_admission"))
                .noneSatisfy(step -> assertThat(step).startsWith("SCAN"));
    }

    @Test
    void shouldReadTheTradesWhoseLettersAnAdmissionMustMarkThroughIndexesWhenTheStoreOpens() throws Exception {
        for (int i = 0; i < 50; i++) {
            DetectedTrade t = trade("stored-" + i);
            store.admit(t);
            store.addDeadLetter(t, Reason.UNEXPECTED_ERROR, null);
        }
        store.addDeadLetter(trade("refused"), Reason.UNEXPECTED_ERROR, "could not admit trade");

        // read at every start, over a long history's letters (tens of thousands, nearly all of stored trades): the
        // letters not marked admitted from their index, each trade looked up by its key, never a scan of the trades
        assertThat(plan(JdbcTradeStore.LETTERS_BEFORE_ADMISSION))
                .anySatisfy(step -> assertThat(step).contains("dead_letters_before_admission"))
                .anySatisfy(step -> assertThat(step).contains("USING COVERING INDEX sqlite_autoindex_trades_1 "
                        + "(trade_key=?)"))
                .noneSatisfy(step -> assertThat(step).startsWith("SCAN t"))
                .noneSatisfy(step -> assertThat(step).startsWith("SCAN trades"));
        store.close();
        store = createStore(clock);
        assertThat(((JdbcTradeStore) store).lettersBeforeAdmission()).containsExactly(trade("refused").key());
    }

    @Test
    void shouldMarkAtItsAdmissionTheLetterAPreviousRunWroteWhileTheTradeWasInNoTable() {
        // a previous run: letters of trades the store refused (one for each way of admitting them), a letter of a
        // stored trade, and a refused trade's letter its later admission marked already
        Map<String, Long> letters = new java.util.LinkedHashMap<>();
        for (String way : ADMISSIONS) {
            letters.put(way, store.addDeadLetter(trade("earlier-" + way.replace(' ', '-')), Reason.UNEXPECTED_ERROR,
                    "could not admit trade"));
        }
        DetectedTrade stored = trade("stored");
        store.admit(stored);
        long failure = store.addDeadLetter(stored, Reason.EXCHANGE_RETRIES_EXHAUSTED, "timeouts");
        DetectedTrade admitted = trade("admitted");
        long admittedLetter = store.addDeadLetter(admitted, Reason.UNEXPECTED_ERROR, "could not admit trade");
        store.admit(admitted);
        store.close();

        store = createStore(clock);

        // the reopened store knows the four trades may have such a letter, and only those
        assertThat(((JdbcTradeStore) store).lettersBeforeAdmission()).containsExactlyInAnyOrderElementsOf(
                ADMISSIONS.stream().map(way -> trade("earlier-" + way.replace(' ', '-')).key()).toList());
        for (String way : ADMISSIONS) {
            assertThat(admitBy(way, trade("earlier-" + way.replace(' ', '-')))).as(way).isTrue();
            DeadLetter marked = store.deadLetter(letters.get(way)).orElseThrow();
            assertThat(marked.admittedAt()).as(way).isNotNull();
            assertThat(marked.pending()).as(way).isFalse();
        }
        assertThat(store.deadLetter(failure).orElseThrow().pending()).isTrue();
        assertThat(store.deadLetter(admittedLetter).orElseThrow().admittedAt()).isNotNull();
        assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(1, 6));
        assertThat(((JdbcTradeStore) store).lettersBeforeAdmission()).as("each left once its admission committed")
                .isEmpty();
    }

    @Test
    void shouldRunOnlyTheInsertToAdmitATradeWithoutALetterAndTheMarkingForOneWithALetter() throws Exception {
        // every statement the store runs, as the driver is asked to run it (the writer's own connection included)
        List<String> ran = java.util.Collections.synchronizedList(new ArrayList<>());
        try (HikariDataSource pool = StoreFactory.pool(StoreSettings.of(url()))) {
            StoreFactory.migrate(pool);
            TradeStore counted = new JdbcTradeStore(recordingStatements(pool, ran), clock, null);
            try {
                for (String way : ADMISSIONS) {
                    DetectedTrade t = trade("plain-" + way.replace(' ', '-'));
                    List<String> writes = writes(ran, () -> assertThat(admitBy(way, t, counted)).isTrue());
                    int rows = way.startsWith("a page") ? 2 : 1; // a page admits a trade beside it
                    assertThat(writes).as(way).hasSize(rows)
                            .allSatisfy(sql -> assertThat(sql).startsWith("INSERT INTO trades"));
                }

                // a trade the store refused, whose letter is written while it is in no table: its admission marks it
                DetectedTrade refused = trade("refused");
                long letter = counted.addDeadLetter(refused, Reason.UNEXPECTED_ERROR, "could not admit trade");
                assertThat(writes(ran, () -> assertThat(counted.admit(refused)).isTrue()))
                        .satisfiesExactly(sql -> assertThat(sql).startsWith("INSERT INTO trades"),
                                sql -> assertThat(sql).isEqualTo(JdbcTradeStore.MARK_LETTERS_ADMITTED));
                assertThat(counted.deadLetter(letter).orElseThrow().admittedAt()).isNotNull();

                // and the next trade without a letter runs its INSERT alone again
                assertThat(writes(ran, () -> assertThat(counted.admit(trade("after"))).isTrue()))
                        .singleElement().satisfies(sql -> assertThat(sql).startsWith("INSERT INTO trades"));
            } finally {
                counted.close();
            }
        }
        assertThat(ran).filteredOn(JdbcTradeStore.MARK_LETTERS_ADMITTED::equals).hasSize(1);
    }

    @Test
    void shouldNotKeepTheTradeOfALetterWrittenWhileTheTradeIsStored() {
        JdbcTradeStore jdbc = (JdbcTradeStore) store;
        DetectedTrade stored = trade("stored");
        store.admit(stored);

        // failures in the pipeline: the trade's admission never happens again, so there is nothing to mark
        for (int i = 0; i < 20; i++) {
            store.addDeadLetter(stored, Reason.EXCHANGE_RETRIES_EXHAUSTED, "attempt " + i);
        }
        assertThat(jdbc.lettersBeforeAdmission()).isEmpty();

        // a letter written while its trade is in no table is kept until the trade's admission has committed
        DetectedTrade refused = trade("refused");
        store.addDeadLetter(refused, Reason.UNEXPECTED_ERROR, "could not admit trade");
        assertThat(jdbc.lettersBeforeAdmission()).containsExactly(refused.key());
        assertThat(store.admit(refused)).isTrue();
        assertThat(jdbc.lettersBeforeAdmission()).isEmpty();
        store.addDeadLetter(refused, Reason.EXCHANGE_RETRIES_EXHAUSTED, "timeouts");
        assertThat(store.admit(refused)).isFalse();
        assertThat(jdbc.lettersBeforeAdmission()).isEmpty();
        assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(21, 22));
    }

    @Test
    void shouldMarkTheLetterOfATradeWhoseAdmissionWasRolledBackWhenItIsWrittenAgain() throws Exception {
        // the writer rolls back a page whose one trade cannot be stored and writes its trades again one at a time:
        // the lettered trade's admission, which marked its letter in the rolled-back transaction, must mark it again
        DetectedTrade lettered = trade("lettered");
        long letter = store.addDeadLetter(lettered, Reason.UNEXPECTED_ERROR, "could not admit trade");
        DetectedTrade poisoned = trade("t-poisoned");
        execute("CREATE TRIGGER poisoned BEFORE INSERT ON trades WHEN NEW.trade_key = '" + poisoned.key() + "' "
                + "BEGIN SELECT RAISE(ABORT, 'no room for this one'); END");

        assertThat(store.admitAll(List.of(lettered, poisoned, trade("t-3")))).containsExactly(true, null, true);
        assertThat(store.deadLetter(letter).orElseThrow().admittedAt()).isNotNull();
        assertThat(store.deadLetterCounts().pending()).isZero();

        // a lettered trade whose own admission fails: its letter is marked when a later admission stores it
        long refusal = store.addDeadLetter(poisoned, Reason.UNEXPECTED_ERROR, "could not admit trade");
        assertThat(store.admitAll(List.of(poisoned))).containsExactly((Boolean) null);
        assertThatThrownBy(() -> store.admit(poisoned, "chain")).isInstanceOf(StoreException.class);
        assertThat(store.deadLetter(refusal).orElseThrow().pending()).isTrue();
        execute("DROP TRIGGER poisoned");
        assertThat(store.admit(poisoned)).isTrue();
        assertThat(store.deadLetter(refusal).orElseThrow().admittedAt()).isNotNull();
        assertThat(((JdbcTradeStore) store).lettersBeforeAdmission()).isEmpty();
    }

    /** {@link #admitBy} on another store. */
    private boolean admitBy(String way, DetectedTrade t, TradeStore on) {
        TradeStore mine = store;
        store = on;
        try {
            return admitBy(way, t);
        } finally {
            store = mine;
        }
    }

    /** The statements a call ran to write, in order (SQLite's synchronous pragmas left out). */
    private static List<String> writes(List<String> ran, Runnable call) {
        int before = ran.size();
        call.run();
        synchronized (ran) {
            return ran.subList(before, ran.size()).stream().filter(sql -> !sql.startsWith("PRAGMA")).toList();
        }
    }

    /** A data source whose connections note the SQL of each prepared statement they run, at each run. */
    private static DataSource recordingStatements(DataSource pool, List<String> ran) {
        return spyingOnConnections(pool, (real, m, a) -> {
            Object made = invoke(m, real, a);
            if (!m.getName().equals("prepareStatement") || a.length != 1) {
                return made;
            }
            String sql = (String) a[0];
            java.sql.PreparedStatement ps = (java.sql.PreparedStatement) made;
            return Proxy.newProxyInstance(java.sql.PreparedStatement.class.getClassLoader(),
                    new Class<?>[] {java.sql.PreparedStatement.class}, (s, sm, sa) -> {
                        if (sm.getName().startsWith("execute")) {
                            ran.add(sql);
                        }
                        return invoke(sm, ps, sa);
                    });
        });
    }

    @Test
    void shouldFindAFillGroupOfAnotherSourceThroughItsIndexAtEachAdmission() throws Exception {
        // asked at every admission with two detection sources: never a scan of every trade
        assertThat(plan(JdbcTradeStore.otherSourceQuery("o")))
                .anySatisfy(step -> assertThat(step).contains("USING INDEX trades_source_group"))
                .noneSatisfy(step -> assertThat(step).startsWith("SCAN"));
        assertThat(plan(JdbcTradeStore.ADMIT_FROM_SOURCE))
                .anySatisfy(step -> assertThat(step).contains("USING INDEX trades_source_group"));
    }

    @Test
    void shouldRefuseWritesAndReadsOnceClosedAndKeepWhatCameBefore() {
        store.admit(trade("before"));
        store.close();

        assertThatThrownBy(() -> store.admit(trade("after"))).isInstanceOf(StoreException.class)
                .hasMessageContaining("the store is closed");
        assertThatThrownBy(store::detectedCount).isInstanceOf(StoreException.class)
                .hasMessageContaining("could not count trades");

        store = createStore(clock);
        assertThat(store.inFlight()).containsExactly(trade("before"));
    }

    @Test
    void shouldKeepWhyAndWhenATradeEndedForWhoeverReadsTheFile() throws Exception {
        DetectedTrade skipped = trade("t-skipped");
        DetectedTrade corrected = trade("t-corrected");
        List.of(skipped, corrected).forEach(store::admit);
        store.finish(skipped.key(), TradeOutcome.SKIPPED, Reason.FILTER_STALE, "42 s old");
        store.finish(corrected.key(), TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED, "never queued");
        store.correctToCopied(corrected.key(), "order accepted after all");

        // the clock moves a millisecond a reading: the two admissions read it, then each end
        assertThat(row(skipped.key())).containsExactly("SKIPPED", "FILTER_STALE", "42 s old", "2026-11-02T10:15:30.126Z");
        assertThat(row(corrected.key())).containsExactly("COPIED", null, "order accepted after all",
                "2026-11-02T10:15:30.128Z");
    }

    /** The trade's outcome, reason, detail and end as its row holds them (the end as an instant). */
    private List<String> row(String tradeKey) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(url());
             java.sql.PreparedStatement ps = c.prepareStatement(
                     "SELECT outcome, reason, detail, finished_at FROM trades WHERE trade_key = ?")) {
            ps.setString(1, tradeKey);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                String finished = rs.getString(4);
                return java.util.Arrays.asList(rs.getString(1), rs.getString(2), rs.getString(3),
                        finished == null ? null : java.time.Instant.parse(finished).toString());
            }
        }
    }

    @Test
    void shouldStoreTheRestOfAPageOneTradeOfWhichCannotBeStoredAndSayWhyWhenThatOneIsAdmittedAlone() throws Exception {
        DetectedTrade poisoned = trade("t-poisoned");
        execute("CREATE TRIGGER poisoned BEFORE INSERT ON trades WHEN NEW.trade_key = '" + poisoned.key() + "' "
                + "BEGIN SELECT RAISE(ABORT, 'no room for this one'); END");

        assertThat(store.admitAll(List.of(trade("t-1"), poisoned, trade("t-3")))).containsExactly(true, null, true);
        assertThat(store.inFlight()).containsExactly(trade("t-1"), trade("t-3"));
        assertThatThrownBy(() -> store.admit(poisoned)).isInstanceOf(StoreException.class)
                .hasMessageContaining("could not admit trade " + poisoned.key())
                .hasMessageContaining("no room for this one");

        execute("DROP TRIGGER poisoned");
        assertThat(store.admit(poisoned)).isTrue();
        assertThat(store.inFlight()).containsExactly(trade("t-1"), trade("t-3"), poisoned);
    }

    @Test
    void shouldSayWhyOneOfSeveralTradesFinishedTogetherCouldNotBeAndKeepTheOthersOutcomes() throws Exception {
        DetectedTrade poisoned = trade("t-poisoned");
        List.of(trade("t-1"), poisoned, trade("t-3")).forEach(store::admit);
        execute("CREATE TRIGGER poisoned BEFORE UPDATE OF outcome ON trades WHEN NEW.trade_key = '" + poisoned.key()
                + "' BEGIN SELECT RAISE(ABORT, 'no room for this one'); END");

        assertThatThrownBy(() -> store.finishAll(List.of(trade("t-1").key(), poisoned.key(), trade("t-3").key()),
                TradeOutcome.COPIED, null, "with aggregate t-0")).isInstanceOf(StoreException.class)
                .hasMessageContaining("could not finish trade " + poisoned.key())
                .hasMessageContaining("no room for this one");
        assertThat(store.outcome(trade("t-1").key())).contains(TradeOutcome.COPIED);
        assertThat(store.outcome(trade("t-3").key())).contains(TradeOutcome.COPIED);
        assertThat(store.inFlight()).containsExactly(poisoned);
    }

    @Test
    void shouldSayTheStoreIsLockedWhenAnotherProcessHoldsItsFilePastTheBusyTimeoutAndStoreTheTradeOnceItIsNot()
            throws Exception {
        StoreSettings impatient = new StoreSettings(url(), null, null, 2, StoreSettings.SqliteSync.FULL, 100);
        try (TradeStore waiting = StoreFactory.open(impatient, clock);
             Connection other = java.sql.DriverManager.getConnection(url());
             java.sql.Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE"); // another process writing, and taking its time

            assertThatThrownBy(() -> waiting.admit(trade("t-1"))).isInstanceOf(StoreException.class)
                    .hasMessageContaining("could not admit trade " + trade("t-1").key())
                    .hasMessageContaining("locked");
            assertThat(waiting.admitAll(List.of(trade("t-2"), trade("t-3")))).containsExactly(null, null);

            s.execute("COMMIT");
            assertThat(waiting.admitAll(List.of(trade("t-1"), trade("t-2"), trade("t-3"))))
                    .containsExactly(true, true, true);
        }
        assertThat(store.detectedCount()).isEqualTo(3);
    }

    private void execute(String sql) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(url()); java.sql.Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void shouldLockAFillGroupUnderOneKeyForEveryFillOfItAndUnderAnotherForAnyOtherGroup() {
        // PostgreSQL serialises two sources' admissions of one group under this advisory lock key
        DetectedTrade fill = trade("0xt1:a").withSourceOrder("0xt1");
        long key = JdbcTradeStore.groupLockKey(fill);
        assertThat(JdbcTradeStore.groupLockKey(new DetectedTrade(new io.copytrader.domain.SourceTradeId("0xt1:b"),
                fill.trader(), fill.instrument(), null, fill.side(), new BigDecimal("0.5"), BigDecimal.TEN,
                new BigDecimal("5.000000"), fill.tsEvent().plusSeconds(1), fill.tsInit(), "0xt1")))
                .as("another fill of the group").isEqualTo(key);
        List<DetectedTrade> others = List.of(
                trade(new io.copytrader.domain.TraderId("bob"), "0xt1:a").withSourceOrder("0xt1"),
                trade("0xt1:a").withSourceOrder("0xt2"),
                new DetectedTrade(fill.sourceTradeId(), fill.trader(), new io.copytrader.domain.InstrumentId("token-no"),
                        "No", fill.side(), fill.price(), fill.quantity(), fill.notional(), fill.tsEvent(),
                        fill.tsInit(), "0xt1"),
                new DetectedTrade(fill.sourceTradeId(), fill.trader(), fill.instrument(), "Yes",
                        io.copytrader.domain.Side.SELL, fill.price(), fill.quantity(), fill.notional(), fill.tsEvent(),
                        fill.tsInit(), "0xt1"));
        assertThat(others).extracting(JdbcTradeStore::groupLockKey).doesNotContain(key).doesNotHaveDuplicates();
    }

    /** SQLite's plan for a query on the store's file, a step a line. */
    private List<String> plan(String sql) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(url());
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet plan = s.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
            List<String> steps = new ArrayList<>();
            while (plan.next()) {
                steps.add(plan.getString("detail"));
            }
            return steps;
        }
    }

    @Test
    void shouldFsyncTheOrdersIntentAndItsSignedFormButOnlyOrderTheWritesTheyCover() throws Exception {
        // every commit of the store is recorded with the synchronous level it ran under: 2 FULL (fsync'd), 1 NORMAL
        List<Integer> commits = new ArrayList<>();
        try (HikariDataSource pool = StoreFactory.pool(StoreSettings.of(url()))) {
            StoreFactory.migrate(pool);
            TradeStore recorded = new JdbcTradeStore(recordingCommits(pool, commits), clock, null);
            DetectedTrade t = trade("t-1");
            CopyIntent intent = intent(t);
            ClientOrderId id = intent.clientOrderId();

            assertThat(lastCommit(commits, () -> recorded.admitAll(List.of(t, trade("t-2"))))).isEqualTo(1);
            assertThat(lastCommit(commits, () -> recorded.admitAll(List.of(trade("t-6"), trade("t-7")), "chain")))
                    .isEqualTo(1);
            assertThat(lastCommit(commits, () -> recorded.finishAll(List.of(trade("t-6").key(), trade("t-7").key()),
                    TradeOutcome.SKIPPED, Reason.FILTER_STALE, null))).isEqualTo(1);
            assertThat(lastCommit(commits, () -> recorded.saveCursor(ALICE, "c-1"))).isEqualTo(1);
            DetectedTrade skipped = trade("t-3");
            assertThat(lastCommit(commits, () -> recorded.admit(skipped))).isEqualTo(1);
            assertThat(lastCommit(commits, () -> recorded.finish(skipped.key(), TradeOutcome.SKIPPED, Reason.FILTER_BELOW_MIN_SIZE, null)))
                    .isEqualTo(1);
            // before anything is sent: the intent and the signed order are on disk, and with them all of the above
            assertThat(lastCommit(commits, () -> recorded.recordIntent(t.key(), intent))).isEqualTo(2);
            assertThat(lastCommit(commits, () -> recorded.recordSigned(id, new VenueOrderId("0xh"), "{}")))
                    .isEqualTo(2);
            assertThat(lastCommit(commits, () -> recorded.moveOrderAndFinish(id, OrderRecordState.FILLED,
                    new VenueOrderId("0xh"), BigDecimal.ONE, new BigDecimal("0.4"), t.key(), TradeOutcome.COPIED,
                    null, "filled"))).isEqualTo(1);
            // an order that copied an aggregate: its answer, the leader's outcome and its followers' in one commit
            DetectedTrade leader = trade("t-4");
            DetectedTrade follower = trade("t-5");
            recorded.admitAll(List.of(leader, follower));
            CopyIntent aggregate = intent(leader);
            recorded.recordIntent(leader.key(), aggregate);
            assertThat(lastCommit(commits, () -> recorded.moveOrderAndFinish(aggregate.clientOrderId(),
                    OrderRecordState.FILLED, null, BigDecimal.ONE, new BigDecimal("0.4"), leader.key(),
                    TradeOutcome.COPIED, null, null, List.of(follower.key()), "with aggregate " + leader.key())))
                    .isEqualTo(1);
            assertThat(lastCommit(commits, () -> recorded.addDeadLetter(trade("t-2"), Reason.UNEXPECTED_ERROR, null)))
                    .isEqualTo(2);
            recorded.close();
        }
        // and what was only ordered is committed all the same
        assertThat(store.outcome(trade("t-1").key())).contains(TradeOutcome.COPIED);
        assertThat(store.outcome(trade("t-3").key())).contains(TradeOutcome.SKIPPED);
        assertThat(store.cursor(ALICE)).contains("c-1");
        assertThat(store.outcome(trade("t-5").key())).contains(TradeOutcome.COPIED);
    }

    /** Runs the call and answers the synchronous level of the one commit it made. */
    private static int lastCommit(List<Integer> commits, Runnable call) {
        int before = commits.size();
        call.run();
        assertThat(commits).as("commits of one call").hasSize(before + 1);
        return commits.get(commits.size() - 1);
    }

    /** A data source whose connections note {@code PRAGMA synchronous} at each commit. */
    private static DataSource recordingCommits(DataSource pool, List<Integer> commits) {
        return spyingOnConnections(pool, (real, m, a) -> {
            if (m.getName().equals("commit")) {
                commits.add(GroupCommitWriter.readSync(real));
            }
            return invoke(m, real, a);
        });
    }

    /** What a spied connection does with a call: {@code real} is the pool's connection. */
    @FunctionalInterface
    private interface ConnectionCall {
        Object call(Connection real, java.lang.reflect.Method method, Object[] args) throws Throwable;
    }

    /** A data source whose connections hand each call to {@code spy}. */
    private static DataSource spyingOnConnections(DataSource pool, ConnectionCall spy) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object answer = invoke(method, pool, args);
                    if (!method.getName().equals("getConnection")) {
                        return answer;
                    }
                    Connection real = (Connection) answer;
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> spy.call(real, m, a));
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

package io.copytrader.store;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.copytrader.store.TradeFixtures.trade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two engines on one PostgreSQL store: a dead letter one of them writes for a trade its store refused, while the other
 * engine's admission of the same trade is running and not yet committed. The admission's statement read the letters
 * before the letter existed, and the letter's write did not see the uncommitted trade; the letter must still end marked
 * admitted, not pending for a person ({@code docs/failure-semantics.md}). The admission is held inside its statement
 * by a trigger waiting on an advisory lock the test holds, so the interleaving is the same in every run.
 */
class PostgresLetterRaceTest {

    private static final long HOLD = 4_242L;

    private String schema;
    private TradeStore letters;
    private TradeStore admissions;
    private ExecutorService threads;

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.requireUrl();
    }

    @BeforeEach
    void openTwoEngines() throws SQLException {
        schema = TestPostgres.createSchema();
        letters = StoreFactory.open(TestPostgres.settings(schema), new TradeFixtures.TickingClock());
        admissions = StoreFactory.open(TestPostgres.settings(schema), new TradeFixtures.TickingClock());
        try (Connection c = TestPostgres.connect(schema); Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION hold_admission() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    + "PERFORM pg_advisory_lock(" + HOLD + "); PERFORM pg_advisory_unlock(" + HOLD + "); "
                    + "RETURN NULL; END $$");
            s.execute("CREATE TRIGGER hold_admission AFTER INSERT ON trades FOR EACH ROW "
                    + "EXECUTE FUNCTION hold_admission()");
        }
        threads = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void close() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        letters.close();
        admissions.close();
        TestPostgres.dropSchema(schema);
    }

    @Test
    @Timeout(60)
    void shouldMarkALetterAdmittedWhenAnotherEngineAdmitsItsTradeAsTheLetterIsWritten() throws Exception {
        DetectedTrade trade = trade("raced");
        CompletableFuture<Long> letter;
        CompletableFuture<Boolean> admitted;
        try (Connection holder = TestPostgres.connect(schema)) {
            execute(holder, "SELECT pg_advisory_lock(" + HOLD + ")");
            // the other engine's admission: its row inserted, its letters read, its commit still to come
            admitted = CompletableFuture.supplyAsync(() -> admissions.admit(trade), threads);
            await().atMost(Duration.ofSeconds(20)).until(() -> waiting(holder, "advisory") >= 1);

            // this engine's letter for the same trade, refused here: written and committed meanwhile
            letter = CompletableFuture.supplyAsync(
                    () -> letters.addDeadLetter(trade, Reason.UNEXPECTED_ERROR, "could not admit trade"), threads);
            // it either returns or waits for the admission's outcome; either way it has read the trade as not stored
            await().atMost(Duration.ofSeconds(20)).until(() -> letter.isDone() || waiting(holder, "transactionid") >= 1);

            execute(holder, "SELECT pg_advisory_unlock(" + HOLD + ")");
        }
        assertThat(admitted.get(20, TimeUnit.SECONDS)).as("the other engine stored the trade").isTrue();
        long id = letter.get(20, TimeUnit.SECONDS);

        DeadLetter written = letters.deadLetter(id).orElseThrow();
        assertThat(written.admittedAt()).as("the trade was admitted as its letter was written").isNotNull();
        assertThat(written.pending()).isFalse();
        assertThat(letters.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(0, 1));
        assertThat(admissions.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(0, 1));
    }

    @Test
    @Timeout(60)
    void shouldLeaveALetterPendingAndItsTradeUnstoredWhenNoEngineAdmitsIt() {
        DetectedTrade trade = trade("refused");
        long id = letters.addDeadLetter(trade, Reason.UNEXPECTED_ERROR, "could not admit trade");

        assertThat(letters.deadLetter(id).orElseThrow().pending()).isTrue();
        // the check's admission was rolled back: the trade is in no table, and a later poll stores it, once
        assertThat(letters.inFlight()).isEmpty();
        assertThat(admissions.admit(trade)).isTrue();
        assertThat(letters.deadLetter(id).orElseThrow().pending()).as("marked by that admission").isFalse();
        assertThat(letters.admit(trade)).isFalse();
    }

    @Test
    @Timeout(60)
    void shouldWriteTheLetterPendingWhenAnotherEngineHoldsItsTradesAdmissionPastTheWait() throws Exception {
        DetectedTrade trade = trade("held");
        try (Connection holder = TestPostgres.connect(schema)) {
            execute(holder, "SELECT pg_advisory_lock(" + HOLD + ")");
            CompletableFuture<Boolean> admitted = CompletableFuture.supplyAsync(() -> admissions.admit(trade), threads);
            await().atMost(Duration.ofSeconds(20)).until(() -> waiting(holder, "advisory") >= 1);

            // the admission outlasts the check's wait: the letter is written all the same, and left pending
            long id = letters.addDeadLetter(trade, Reason.UNEXPECTED_ERROR, "could not admit trade");
            assertThat(admitted).as("the admission still held").isNotDone();
            DeadLetter written = letters.deadLetter(id).orElseThrow();
            assertThat(written.pending()).isTrue();
            assertThat(written.reason()).isEqualTo(Reason.UNEXPECTED_ERROR);

            execute(holder, "SELECT pg_advisory_unlock(" + HOLD + ")");
            assertThat(admitted.get(20, TimeUnit.SECONDS)).isTrue();
        }
        // the store still works on the connection the check used
        assertThat(letters.addDeadLetter(trade("other"), Reason.UNEXPECTED_ERROR, "x")).isPositive();
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The sessions of this database waiting for a lock of the kind given ({@code pg_stat_activity.wait_event}). */
    private static int waiting(Connection c, String waitEvent) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity "
                + "WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = ?")) {
            ps.setString(1, waitEvent);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}

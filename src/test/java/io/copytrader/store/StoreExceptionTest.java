package io.copytrader.store;

import io.copytrader.domain.DetectedTrade;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.EOFException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Which store errors are transient: worth the same write again a moment later ({@link StoreException#isTransient}). */
class StoreExceptionTest {

    static StoreException wrapping(Throwable cause) {
        return new StoreException("could not record the intent: " + cause.getMessage(), cause);
    }

    @Test
    void shouldCallAFailedOrDroppedConnectionTransient() {
        // PostgreSQL's driver: the connection dropped under a statement (its I/O error inside), or could not be made
        assertThat(wrapping(new SQLException("An I/O error occurred while sending to the backend.", "08006",
                new EOFException())).isTransient()).isTrue();
        assertThat(wrapping(new SQLException("Connection refused", "08001")).isTransient()).isTrue();
        // the pool: no connection came free in time
        assertThat(wrapping(new SQLTransientConnectionException("Connection is not available, request timed out"))
                .isTransient()).isTrue();
        // a serialization failure, a deadlock, the server shutting down
        assertThat(wrapping(new SQLException("could not serialize access", "40001")).isTransient()).isTrue();
        assertThat(wrapping(new SQLException("deadlock detected", "40P01")).isTransient()).isTrue();
        assertThat(wrapping(new SQLException("terminating connection due to administrator command", "57P01"))
                .isTransient()).isTrue();
        // SQLite: the file locked by another connection past the busy timeout
        assertThat(wrapping(new SQLiteException("database is locked", SQLiteErrorCode.SQLITE_BUSY)).isTransient()).isTrue();
        assertThat(wrapping(new SQLiteException("snapshot", SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT)).isTransient()).isTrue();
        // found anywhere in the causes
        assertThat(new StoreException("outer", new RuntimeException(new SQLException("x", "08003"))).isTransient())
                .isTrue();
    }

    @Test
    void shouldNotCallABugAFullDiskOrAnUnknownErrorTransient() {
        assertThat(wrapping(new SQLException("duplicate key value violates unique constraint", "23505")).isTransient())
                .isFalse();
        assertThat(wrapping(new SQLException("could not extend file: No space left on device", "53100")).isTransient())
                .isFalse();
        assertThat(wrapping(new SQLiteException("database or disk is full", SQLiteErrorCode.SQLITE_FULL)).isTransient())
                .isFalse();
        assertThat(wrapping(new SQLiteException("constraint failed", SQLiteErrorCode.SQLITE_CONSTRAINT_TRIGGER))
                .isTransient()).isFalse();
        assertThat(wrapping(new SQLException("no state")).isTransient()).isFalse();
        assertThat(new StoreException("could not record the intent: the store is closed", null).isTransient()).isFalse();
        assertThat(wrapping(new IllegalStateException("a bug")).isTransient()).isFalse();
    }

    @Test
    void shouldCallAWriteRefusedBecauseAnotherConnectionHoldsTheSqliteFileTransient(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        StoreSettings settings = new StoreSettings(url, null, null, 2, StoreSettings.SqliteSync.FULL, 50);
        try (TradeStore store = StoreFactory.open(settings, Clock.systemUTC());
             Connection other = DriverManager.getConnection(url); Statement s = other.createStatement()) {
            DetectedTrade trade = TradeFixtures.trade("t-1");
            s.execute("BEGIN IMMEDIATE"); // another process's write transaction, held past the busy timeout
            StoreException refused = catchThrowableOfType(() -> store.admit(trade), StoreException.class);
            assertThat(refused.isTransient()).as(String.valueOf(refused)).isTrue();
            s.execute("ROLLBACK");
            assertThat(store.admit(trade)).as("taken once the lock is gone").isTrue();
        }
    }
}

package io.copytrader.store;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreFactoryTest {

    @TempDir
    Path dir;

    @Test
    void shouldGiveTheInMemoryStoreForMemory() {
        try (TradeStore store = StoreFactory.open("memory", Clock.systemUTC())) {
            assertThat(store).isInstanceOf(InMemoryTradeStore.class);
        }
    }

    @Test
    void shouldCreateTheDirectoryAndSchemaOfANewSqliteFile() throws Exception {
        Path file = dir.resolve("data/nested/copytrader.db");
        try (TradeStore store = StoreFactory.open("jdbc:sqlite:" + file, Clock.systemUTC())) {
            assertThat(store).isInstanceOf(JdbcTradeStore.class);
            assertThat(store.detectedCount()).isZero();
        }
        assertThat(file).exists();
        assertThat(java.nio.file.Files.getPosixFilePermissions(file)).as("readable by its owner only")
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        // opening again applies nothing twice
        try (TradeStore store = StoreFactory.open("jdbc:sqlite:" + file, Clock.systemUTC())) {
            assertThat(store.detectedCount()).isZero();
        }
        try (HikariDataSource pool = StoreFactory.pool(StoreSettings.of("jdbc:sqlite:" + file));
             Connection c = pool.getConnection()) {
            assertThat(query(c, "SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1 AND version = '1'"))
                    .isEqualTo("1");
        }
    }

    @Test
    void shouldOpenSqliteInWalModeWithTheChosenSyncAndBusyTimeout() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("pragmas.db");
        try (HikariDataSource pool = StoreFactory.pool(StoreSettings.of(url)); Connection c = pool.getConnection()) {
            assertThat(query(c, "PRAGMA journal_mode")).isEqualTo("wal");
            assertThat(query(c, "PRAGMA synchronous")).isEqualTo("2"); // FULL
            assertThat(query(c, "PRAGMA busy_timeout")).isEqualTo("5000");
        }
        StoreSettings normal = StoreSettings.of(url).withSqliteSync(StoreSettings.SqliteSync.NORMAL);
        try (HikariDataSource pool = StoreFactory.pool(normal); Connection c = pool.getConnection()) {
            assertThat(query(c, "PRAGMA synchronous")).isEqualTo("1"); // NORMAL
        }
    }

    @Test
    void shouldRefuseUrlsItCannotServeWithAMessageSayingWhatItTakes() {
        assertThatThrownBy(() -> StoreFactory.open("jdbc:mysql://localhost/ct", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:sqlite:").hasMessageContaining("jdbc:mysql://localhost/ct");
        assertThatThrownBy(() -> StoreFactory.open("jdbc:sqlite::memory:", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use 'memory'");
        assertThatThrownBy(() -> StoreFactory.open(" ", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was empty");
        assertThatThrownBy(() -> StoreFactory.open("jdbc:sqlite:?journal_mode=wal", Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must name a SQLite file");
        assertThatThrownBy(() -> new StoreSettings("memory", null, null, 0, StoreSettings.SqliteSync.FULL, 0))
                .hasMessage("store pool size must be in [1, 64], but was 0");
        assertThatThrownBy(() -> new StoreSettings("memory", null, null, 65, StoreSettings.SqliteSync.FULL, 0))
                .hasMessage("store pool size must be in [1, 64], but was 65");
        assertThatThrownBy(() -> new StoreSettings("memory", null, null, 1, StoreSettings.SqliteSync.FULL, -1))
                .hasMessage("store busy timeout must be >= 0 ms, but was -1");
        assertThatThrownBy(() -> new StoreSettings("memory", null, null, 1, null, 0))
                .hasMessage("SQLite synchronous must be FULL or NORMAL, but was null");
        // the edges themselves are taken
        assertThat(new StoreSettings("memory", null, null, 1, StoreSettings.SqliteSync.FULL, 0).poolSize()).isOne();
        assertThat(new StoreSettings("memory", null, null, 64, StoreSettings.SqliteSync.FULL, 0).poolSize()).isEqualTo(64);
    }

    @Test
    void shouldKeepAsManyConnectionsAsAskedOpenForAsLongAsTheStoreIs() {
        StoreSettings three = new StoreSettings("jdbc:sqlite:" + dir.resolve("pool.db"), null, null, 3,
                StoreSettings.SqliteSync.FULL, 5_000);
        try (HikariDataSource pool = StoreFactory.pool(three)) {
            assertThat(pool.getPoolName()).isEqualTo("copytrader-store");
            assertThat(pool.getMaximumPoolSize()).isEqualTo(3);
            assertThat(pool.getMinimumIdle()).isOne();
            assertThat(pool.isAutoCommit()).isTrue();
            assertThat(pool.getIdleTimeout()).as("a file is always there: never retired when idle").isZero();
            assertThat(pool.getMaxLifetime()).as("nor for age").isZero();
        }
    }

    @Test
    void shouldRefuseAFileThatIsNoSqliteDatabaseAndLeaveItAsItWas() throws Exception {
        Path notADatabase = Files.writeString(dir.resolve("ct.db"), "these are someone's notes, not a database\n".repeat(64));
        String before = Files.readString(notADatabase);

        assertThatThrownBy(() -> StoreFactory.open("jdbc:sqlite:" + notADatabase, Clock.systemUTC()))
                .hasStackTraceContaining("file is not a database");
        assertThat(Files.readString(notADatabase)).isEqualTo(before);
    }

    @Test
    void shouldNotShowThePasswordWhenPrinted() {
        StoreSettings settings = StoreSettings.of("jdbc:postgresql://db/ct?password=hunter2")
                .withCredentials("ct", "hunter2");
        assertThat(settings.toString()).doesNotContain("hunter2").contains("user=ct");
    }

    @Test
    void shouldRefuseAnUnwritableLocationWithTheDirectoryNamed() throws Exception {
        Path blocker = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> StoreFactory.open("jdbc:sqlite:" + blocker.resolve("ct.db"), Clock.systemUTC()))
                .hasMessageContaining("not-a-dir");
    }

    @Test
    void shouldLeaveNoPoolBehindWhenTheSchemaCannotBeBroughtUpToDate() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("changed.db");
        StoreFactory.open(url, Clock.systemUTC()).close();
        try (Connection c = java.sql.DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
        }
        long before = poolThreads();

        assertThatThrownBy(() -> StoreFactory.open(url, Clock.systemUTC())).hasMessageContaining("checksum mismatch");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(poolThreads()).as("the pool's housekeeper stopped").isLessThanOrEqualTo(before));
    }

    /** The store pools' housekeeping threads alive now, one a pool that is open. */
    private static long poolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("copytrader-store housekeeper")).count();
    }

    private static String query(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}

package io.copytrader.store;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A store that already has every shipped migration opens without Flyway; any other history goes through Flyway,
 * which applies, finishes or refuses it as before.
 */
class MigrationIndexTest {
    private static final String INSERT_HISTORY = "INSERT INTO flyway_schema_history (installed_rank, version, "
            + "description, type, script, checksum, installed_by, execution_time, success) ";

    @TempDir
    Path dir;

    @Test
    void shouldListExactlyTheMigrationsFlywayResolvesWithTheirChecksums() {
        SQLiteDataSource empty = sqlite("resolve.db");
        MigrationInfo[] resolved = Flyway.configure().dataSource(empty).locations("classpath:db/migration").load()
                .info().all();
        Set<MigrationIndex.Entry> expected = Arrays.stream(resolved)
                .map(m -> new MigrationIndex.Entry(m.getVersion().getVersion(), m.getChecksum(), m.getScript()))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        assertThat(expected).as("migrations in db/migration").isNotEmpty();
        assertThat(MigrationIndex.shipped())
                .as("%s must list, one per line:%n%s", MigrationIndex.RESOURCE, expected.stream()
                        .map(e -> e.version() + " " + e.checksum() + " " + e.script())
                        .collect(Collectors.joining(System.lineSeparator())))
                .containsExactlyElementsOf(expected);
    }

    @Test
    void shouldOpenAStoreWhoseSchemaIsCurrentWithoutFlyway() throws Exception {
        SQLiteDataSource store = created("current.db");
        assertThat(isCurrent(store)).isTrue();
        assertThat(StoreFactory.migrate(store)).as("schema changed").isFalse();
        try (TradeStore opened = StoreFactory.open("jdbc:sqlite:" + dir.resolve("current.db"), Clock.systemUTC())) {
            assertThat(opened.detectedCount()).isZero();
        }
    }

    @Test
    void shouldMakeTheSchemaOfANewStore() throws Exception {
        SQLiteDataSource fresh = sqlite("new.db");
        assertThat(isCurrent(fresh)).as("no history yet").isFalse();
        assertThat(StoreFactory.migrate(fresh)).as("schema made").isTrue();
        assertThat(isCurrent(fresh)).isTrue();
    }

    @Test
    void shouldRunFlywayWhenTheLastMigrationIsNotApplied() throws Exception {
        SQLiteDataSource store = created("behind.db");
        String last = last().version();
        execute(store, "DELETE FROM flyway_schema_history WHERE version = '" + last + "'");
        assertThat(isCurrent(store)).isFalse();
    }

    @Test
    void shouldRunFlywayWhenAMigrationFailed() throws Exception {
        SQLiteDataSource store = created("failed.db");
        execute(store, "UPDATE flyway_schema_history SET success = 0 WHERE version = '" + last().version() + "'");
        assertThat(isCurrent(store)).isFalse();
    }

    @Test
    void shouldLeaveAChangedMigrationToFlywayWhichRefusesIt() throws Exception {
        SQLiteDataSource store = created("changed.db");
        execute(store, "UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
        assertThat(isCurrent(store)).isFalse();
        assertThatThrownBy(() -> StoreFactory.migrate(store)).hasMessageContaining("checksum mismatch");
    }

    @Test
    void shouldLeaveAHistoryFromANewerBuildToFlyway() throws Exception {
        SQLiteDataSource store = created("newer.db");
        execute(store, INSERT_HISTORY + "VALUES (999, '999', 'from a newer build', 'SQL', 'V999__newer.sql', 7, 'test', 1, 1)");
        assertThat(isCurrent(store)).isFalse();
        assertThat(StoreFactory.migrate(store)).as("Flyway ran, and accepts a migration it does not know of")
                .isTrue();
    }

    @Test
    void shouldLeaveARepeatedRowToFlyway() throws Exception {
        SQLiteDataSource store = created("repeated.db");
        execute(store, INSERT_HISTORY + "SELECT 999, version, description, type, script, checksum, installed_by, "
                + "execution_time, success FROM flyway_schema_history WHERE version = '1'");
        assertThat(isCurrent(store)).isFalse();
    }

    @Test
    void shouldOpenACurrentStoreWithoutFlywayOnPostgres() throws Exception {
        TestPostgres.requireUrl();
        String schema = TestPostgres.createSchema();
        String other = TestPostgres.createSchema();
        try {
            try (com.zaxxer.hikari.HikariDataSource pool = StoreFactory.pool(TestPostgres.settings(schema))) {
                assertThat(StoreFactory.migrate(pool)).as("Flyway ran on a new schema").isTrue();
                assertThat(StoreFactory.migrate(pool)).as("Flyway ran on a current schema").isFalse();
            }
            // a current history elsewhere on the search path is not this schema's
            String path = TestPostgres.schemaUrl(other).replace("currentSchema=" + other,
                    "currentSchema=" + other + "," + schema);
            try (Connection c = java.sql.DriverManager.getConnection(path, TestPostgres.user(), TestPostgres.password())) {
                assertThat(c.getSchema()).isEqualTo(other);
                assertThat(MigrationIndex.isCurrent(c)).isFalse();
            }
        } finally {
            TestPostgres.dropSchema(schema);
            TestPostgres.dropSchema(other);
        }
    }

    private SQLiteDataSource created(String name) {
        SQLiteDataSource ds = sqlite(name);
        assertThat(StoreFactory.migrate(ds)).as("schema made on a new store").isTrue();
        return ds;
    }

    private SQLiteDataSource sqlite(String name) {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve(name));
        return ds;
    }

    private static boolean isCurrent(SQLiteDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return MigrationIndex.isCurrent(c);
        }
    }

    private static MigrationIndex.Entry last() {
        MigrationIndex.Entry last = null;
        for (MigrationIndex.Entry e : MigrationIndex.shipped()) {
            last = e;
        }
        return last;
    }

    private static void execute(SQLiteDataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }
}

package io.copytrader.store;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new SQLite store made without Flyway is the store Flyway makes: the same schema, the same history, and Flyway
 * validates it and finds nothing to do. Anything but an empty database, or a schema file that does not stand for the
 * shipped migrations, is left to Flyway untouched.
 */
class NewSqliteStoreTest {
    @TempDir
    Path dir;

    @Test
    void shouldShipTheSchemaFlywayMakesFromTheShippedMigrations() throws Exception {
        SQLiteDataSource byFlyway = sqlite("flyway.db");
        try (Connection c = byFlyway.getConnection()) {
            StoreFactory.flyway(c);
            String expected = schemaFile(c);
            String shipped = resource();
            if (!expected.equals(shipped)) {
                Path made = Path.of("target", "new-store.sqlite.sql");
                Files.createDirectories(made.getParent());
                Files.writeString(made, expected, StandardCharsets.UTF_8);
                assertThat(shipped).as("src/main/resources/%s must be what Flyway makes from db/migration; "
                        + "the file it should be is %s", NewSqliteStore.RESOURCE, made.toAbsolutePath())
                        .isEqualTo(expected);
            }
        }
        assertThat(NewSqliteStore.shippedSchema().standsFor(MigrationIndex.shipped())).isTrue();
    }

    @Test
    void shouldMakeAStoreFlywayTakesForItsOwn() throws Exception {
        SQLiteDataSource byFlyway = sqlite("flyway.db");
        try (Connection c = byFlyway.getConnection()) {
            StoreFactory.flyway(c);
        }
        SQLiteDataSource made = sqlite("made.db");
        try (Connection c = made.getConnection()) {
            assertThat(NewSqliteStore.create(c)).isTrue();
            assertThat(c.getAutoCommit()).as("the connection's mode, as it was").isTrue();
            assertThat(MigrationIndex.isCurrent(c)).isTrue();
        }
        assertThat(objects(made)).isEqualTo(objects(byFlyway)).isNotEmpty();
        assertThat(history(made)).isEqualTo(history(byFlyway)).hasSize(MigrationIndex.shipped().size());

        Flyway flyway = Flyway.configure().dataSource(made).locations("classpath:db/migration").load();
        assertThat(flyway.validateWithResult().validationSuccessful).as("Flyway validates it").isTrue();
        MigrateResult migrate = flyway.migrate();
        assertThat(migrate.migrationsExecuted).as("Flyway has nothing to do").isZero();
        assertThat(StoreFactory.migrate(made)).as("opened as current").isFalse();
    }

    @Test
    void shouldLeaveADatabaseThatHoldsAnythingToFlyway() throws Exception {
        SQLiteDataSource other = sqlite("other.db");
        try (Connection c = other.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE notes (body TEXT)");
            assertThat(NewSqliteStore.create(c)).isFalse();
            assertThat(c.getAutoCommit()).isTrue();
        }
        assertThat(objects(other)).containsExactly("table notes notes CREATE TABLE notes (body TEXT)");
    }

    @Test
    void shouldLeaveAStoreToFlywayWhenTheSchemaFileIsNotTheShippedMigrations() throws Exception {
        NewSqliteStore.Schema shipped = NewSqliteStore.shippedSchema();
        NewSqliteStore.Schema behind = new NewSqliteStore.Schema(
                shipped.history().subList(0, shipped.history().size() - 1), shipped.statements());
        SQLiteDataSource fresh = sqlite("fresh.db");
        try (Connection c = fresh.getConnection()) {
            assertThat(NewSqliteStore.create(c, behind, MigrationIndex.shipped())).isFalse();
        }
        assertThat(objects(fresh)).isEmpty();
    }

    @Test
    void shouldRollBackEverythingWhenAStatementFails() throws Exception {
        NewSqliteStore.Schema shipped = NewSqliteStore.shippedSchema();
        List<String> broken = new ArrayList<>(shipped.statements());
        broken.add("CREATE TABLE trades (again TEXT)");
        SQLiteDataSource fresh = sqlite("broken.db");
        try (Connection c = fresh.getConnection()) {
            assertThat(NewSqliteStore.create(c, new NewSqliteStore.Schema(shipped.history(), broken),
                    MigrationIndex.shipped())).isFalse();
            assertThat(c.getAutoCommit()).isTrue();
        }
        assertThat(objects(fresh)).as("nothing of the schema is left").isEmpty();
        assertThat(StoreFactory.migrate(fresh)).as("Flyway made it").isTrue();
        assertThat(history(fresh)).hasSize(MigrationIndex.shipped().size());
    }

    @Test
    void shouldParseStatementsAndHistoryLines() {
        NewSqliteStore.Schema schema = NewSqliteStore.Schema.parse("-- a comment\n-- history: 2 -7 V2__two_words.sql"
                + " two words\n\nCREATE TABLE a (\n  x TEXT\n)\n;\n\nCREATE INDEX a_x ON a (x)\n;\n");
        assertThat(schema.history()).containsExactly(new NewSqliteStore.Applied("2", -7, "V2__two_words.sql",
                "two words"));
        assertThat(schema.statements()).containsExactly("CREATE TABLE a (\n  x TEXT\n)", "CREATE INDEX a_x ON a (x)");
        assertThat(schema.standsFor(Set.of(new MigrationIndex.Entry("2", -7, "V2__two_words.sql")))).isTrue();
        assertThat(schema.standsFor(Set.of(new MigrationIndex.Entry("2", -8, "V2__two_words.sql")))).isFalse();
    }

    /** The schema file for the store on this connection: its history, then each object's statement, in order. */
    static String schemaFile(Connection c) throws SQLException {
        StringBuilder out = new StringBuilder();
        out.append("-- The schema of a new SQLite store, as Flyway leaves it after the migrations in db/migration: the\n")
                .append("-- history it stands for, then the statement of each table and index in the order Flyway made\n")
                .append("-- them. NewSqliteStore runs them on an empty database; NewSqliteStoreTest keeps this file equal\n")
                .append("-- to what Flyway makes (when a migration is added, it writes the new file to target/).\n");
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT version, checksum, script, description FROM "
                    + "flyway_schema_history ORDER BY installed_rank")) {
                while (rs.next()) {
                    out.append(NewSqliteStore.HISTORY).append(rs.getString(1)).append(' ').append(rs.getInt(2))
                            .append(' ').append(rs.getString(3)).append(' ').append(rs.getString(4)).append('\n');
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                    + "AND name NOT LIKE 'sqlite_%' ORDER BY rowid")) {
                while (rs.next()) {
                    out.append('\n').append(rs.getString(1)).append('\n').append(NewSqliteStore.END).append('\n');
                }
            }
        }
        return out.toString();
    }

    private String resource() throws Exception {
        try (var in = getClass().getClassLoader().getResourceAsStream(NewSqliteStore.RESOURCE)) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every object of the database: type, name, table and statement, by name. */
    private static Set<String> objects(SQLiteDataSource ds) throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
            }
        }
        return out;
    }

    /** The history rows but when and how long: rank, version, description, type, script, checksum, by, success. */
    private static List<String> history(SQLiteDataSource ds) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT installed_rank, version, description, type, script, checksum, "
                     + "installed_by, success FROM flyway_schema_history ORDER BY installed_rank")) {
            while (rs.next()) {
                out.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                        + rs.getString(5) + "|" + rs.getInt(6) + "|" + rs.getString(7) + "|" + rs.getBoolean(8));
            }
        }
        return out;
    }

    private SQLiteDataSource sqlite(String name) {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve(name));
        return ds;
    }
}

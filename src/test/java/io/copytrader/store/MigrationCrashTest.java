package io.copytrader.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A process killed while the schema is made or migrated must leave a schema the next start can finish. The migration
 * is cut right after its k-th commit (the commit reached the database, then every connection is gone, as when the process is
 * killed), for k = 1, 2, ... until a migration runs through; after each cut, the store must open and be at the latest
 * version. On PostgreSQL this failed when Flyway recorded a migration on a second connection that committed after
 * the migration's own (seen once in StoreCrashTest: "relation feed_cursors already exists" on every later start).
 */
class MigrationCrashTest {

    @TempDir
    Path dir;

    @Test
    void shouldOpenAfterTheMigrationIsCutAtAnyCommitOnPostgres() throws Exception {
        TestPostgres.requireUrl();
        List<String> schemas = new ArrayList<>();
        try {
            cutAtEveryCommit(k -> {
                String schema = TestPostgres.createSchema();
                schemas.add(schema);
                return new Target(TestPostgres.settings(schema), () -> TestPostgres.connect(schema));
            }, StoreFactory::migrate, MigrationCrashTest::latestOrMore);
        } finally {
            schemas.forEach(TestPostgres::dropSchema);
        }
    }

    /** Flyway on SQLite: what a store made by an older build goes through. */
    @Test
    void shouldOpenAfterFlywaysMigrationIsCutAtAnyCommitOnSqlite() throws Exception {
        cutAtEveryCommit(k -> sqlite("flyway-cut-" + k), dataSource -> {
            try (Connection c = dataSource.getConnection()) {
                StoreFactory.flyway(c);
            }
            return true;
        }, MigrationCrashTest::latestOrMore);
    }

    /** A new SQLite store: its whole schema is one commit ({@link NewSqliteStore}). */
    @Test
    void shouldOpenAfterANewSqliteStoresSchemaIsCutAtItsCommit() throws Exception {
        cutAtEveryCommit(k -> sqlite("new-cut-" + k), StoreFactory::migrate,
                (cuts, latest) -> assertThat(cuts).as("commits the new store's schema was cut after").isEqualTo(1));
    }

    private Target sqlite(String name) {
        String url = "jdbc:sqlite:" + dir.resolve(name + ".db");
        return new Target(StoreSettings.of(url), () -> DriverManager.getConnection(url));
    }

    private static void latestOrMore(int cuts, int latest) {
        assertThat(cuts).as("commits the migration was cut after").isGreaterThanOrEqualTo(latest);
    }

    private record Target(StoreSettings settings, Opener opener) {
    }

    @FunctionalInterface
    private interface Opener {
        Connection open() throws SQLException;
    }

    @FunctionalInterface
    private interface Targets {
        Target fresh(int k) throws Exception;
    }

    @FunctionalInterface
    private interface Migrator {
        boolean migrate(DataSource dataSource) throws Exception;
    }

    @FunctionalInterface
    private interface Cuts {
        void check(int cuts, int latest);
    }

    private static void cutAtEveryCommit(Targets targets, Migrator migrator, Cuts expected) throws Exception {
        Target whole = targets.fresh(0);
        try (TradeStore store = StoreFactory.open(whole.settings(), Clock.systemUTC())) {
            assertThat(store.detectedCount()).isZero();
        }
        int latest = version(whole);
        assertThat(latest).as("the latest schema version").isPositive();
        int cuts = 0;
        for (int k = 1; k < 200; k++) {
            Target target = targets.fresh(k);
            DyingDataSource dying = new DyingDataSource(target.opener(), k);
            Throwable thrown = catchThrowable(() -> migrator.migrate(dying.dataSource()));
            if (!dying.died) {
                assertThat(thrown).as("a migration that was not cut").isNull();
                break;
            }
            // (Flyway may swallow a failure in its last clean-up, after every migration committed)
            cuts++;
            // the next start: must finish the schema and work
            try (TradeStore store = StoreFactory.open(target.settings(), Clock.systemUTC())) {
                assertThat(store.detectedCount()).as("store opened after a cut at commit %d", k).isZero();
            }
            assertThat(version(target)).as("schema version after a cut at commit %d", k).isEqualTo(latest);
        }
        expected.check(cuts, latest);
    }

    /** The highest version recorded as applied, and every recorded one a success. */
    private static int version(Target target) throws SQLException {
        try (Connection c = target.opener().open(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE version IS NOT NULL")) {
            int highest = 0;
            while (rs.next()) {
                highest = Math.max(highest, Integer.parseInt(rs.getString(1)));
            }
            return highest;
        }
    }

    /**
     * Opens a new physical connection per request. After the k-th commit has gone through, it closes every connection
     * it gave (an open transaction is rolled back, as when a process dies) and fails the caller.
     */
    private static final class DyingDataSource {
        private final Opener opener;
        private final int commitsBeforeDeath;
        private final List<Connection> opened = new ArrayList<>();
        private int commits;
        private boolean died;

        DyingDataSource(Opener opener, int commitsBeforeDeath) {
            this.opener = opener;
            this.commitsBeforeDeath = commitsBeforeDeath;
        }

        /** The data source Flyway is given: it only asks for connections. */
        DataSource dataSource() {
            return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                    new Class<?>[]{DataSource.class}, (proxy, method, args) -> {
                        if (!method.getName().equals("getConnection")) {
                            throw new UnsupportedOperationException(method.getName());
                        }
                        return connection();
                    });
        }

        private Connection connection() throws SQLException {
            if (died) {
                throw new SQLException("the process is dead");
            }
            Connection real = opener.open();
            opened.add(real);
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[]{Connection.class}, (proxy, method, args) -> {
                        if (died && !method.getName().equals("close") && !method.getName().equals("isClosed")) {
                            throw new SQLException("the process is dead");
                        }
                        Object result;
                        try {
                            result = method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (method.getName().equals("commit") && ++commits >= commitsBeforeDeath) {
                            die();
                            throw new SQLException("killed right after commit " + commits);
                        }
                        return result;
                    });
        }

        private void die() {
            died = true;
            for (Connection c : opened) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // already gone
                }
            }
        }
    }
}

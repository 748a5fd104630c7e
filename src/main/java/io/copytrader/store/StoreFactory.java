package io.copytrader.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;

/**
 * Opens the store named by a URL: {@code memory} (forgets on exit), SQLite in WAL mode (the default,
 * {@value StoreSettings#DEFAULT_URL}) or PostgreSQL. Brings the schema up to date with Flyway before returning.
 */
public final class StoreFactory {

    private StoreFactory() {
    }

    public static TradeStore open(String url, Clock clock) {
        return open(StoreSettings.of(url), clock);
    }

    public static TradeStore open(StoreSettings settings, Clock clock) {
        if (settings.isMemory()) {
            return new InMemoryTradeStore(clock);
        }
        HikariDataSource pool = pool(settings);
        try {
            migrate(pool);
            return new JdbcTradeStore(pool, clock, pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Applies the migrations in {@code db/migration}; the same files for SQLite and PostgreSQL. Flyway works on one
     * connection, so each migration and its record in the schema history commit together (see
     * {@link MigrationDataSource}): a process killed while migrating leaves a schema the next start can finish. A
     * store that already has every migration this build ships, each applied successfully ({@link MigrationIndex}),
     * is left as it is without starting Flyway; a new SQLite store gets the schema Flyway would make, in one
     * transaction, without starting it either ({@link NewSqliteStore}).
     *
     * @return true when the schema was created or brought up to date, false when it was already current
     */
    static boolean migrate(javax.sql.DataSource dataSource) {
        try (java.sql.Connection connection = dataSource.getConnection()) {
            // a migration may run for minutes on a long history (an index built over every trade): no socket timeout
            // for it (the pool gives the connection its own back when it is returned)
            connection.setNetworkTimeout(Runnable::run, 0);
            if (MigrationIndex.isCurrent(connection)) {
                return false;
            }
            if (!NewSqliteStore.create(connection)) {
                flyway(connection);
            }
            return true;
        } catch (java.sql.SQLException e) {
            throw new StoreException("could not migrate the store's schema: " + e.getMessage(), e);
        }
    }

    /** Flyway's migration of the schema, over this one connection (see {@link MigrationDataSource}). */
    static void flyway(java.sql.Connection connection) {
        Flyway.configure().dataSource(new MigrationDataSource(connection)).locations("classpath:db/migration")
                .load().migrate();
    }

    /**
     * PostgreSQL's waits, in seconds: a statement's answer ({@code socketTimeout}: a statement of the engine's takes
     * milliseconds; a migration has no bound, {@link #migrate}), a new connection's TCP connect and login. With TCP
     * keep-alive on, an idle connection whose server vanished is found dead by the kernel too.
     */
    static final java.util.Map<String, String> POSTGRES_TIMEOUTS = java.util.Map.of("socketTimeout", "15",
            "connectTimeout", "10", "loginTimeout", "10", "tcpKeepAlive", "true");

    /** The connection pool for a SQLite or PostgreSQL URL, connections configured but schema not yet migrated. */
    static HikariDataSource pool(StoreSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("copytrader-store");
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(1);
        config.setAutoCommit(true);
        if (Dialect.fromUrl(settings.url()) == Dialect.SQLITE) {
            config.setDataSource(sqlite(settings));
            // a file is always there: no point in retiring idle connections and reopening them
            config.setIdleTimeout(0);
            config.setMaxLifetime(0);
        } else {
            config.setJdbcUrl(settings.url());
            if (settings.user() != null) {
                config.setUsername(settings.user());
            }
            if (settings.password() != null) {
                config.setPassword(settings.password());
            }
            // the driver's defaults wait for ever: a statement on a connection whose server vanished without closing
            // it (a failover whose old primary's host died) never returned, and detection stopped with it. These
            // bound each wait; the same names in STORE_URL win (pgjdbc reads the URL's over these)
            POSTGRES_TIMEOUTS.forEach(config::addDataSourceProperty);
        }
        return new HikariDataSource(config);
    }

    /**
     * SQLite with the write-ahead log: readers never block the writer, and a commit is one append to the log.
     * synchronous=FULL fsyncs the log at each commit of a forced write, so it survives a power cut as well as a
     * killed process (ordered writes ride on the next forced commit: see GroupCommitWriter); NORMAL fsyncs only at checkpoints, which survives kill -9 (the OS has the bytes) but not a
     * power cut. Every pooled connection gets the same pragmas.
     */
    private static SQLiteDataSource sqlite(StoreSettings settings) {
        createParentDirectory(settings.url());
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(settings.sqliteSync() == StoreSettings.SqliteSync.FULL
                ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(settings.busyTimeoutMs());
        // the driver otherwise runs "SELECT last_insert_rowid()" after every INSERT, for getGeneratedKeys(), which the
        // store never calls: 4 % of a write's CPU (a profile of the store's writes on one thread)
        config.setGetGeneratedKeys(false);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl(settings.url());
        return ds;
    }

    /**
     * A store URL for a message or a log line: any {@code password=} in it masked, and any user information before a
     * host ({@code //user:password@host}, up to the last {@code @}: a password may hold one).
     */
    public static String masked(String url) {
        return url.replaceAll("(?i)password=[^&;]*", "password=****").replaceAll("//.*@", "//****@");
    }

    /** Why a store could not be opened, for a message: the deepest cause's message, on one line, passwords masked. */
    public static String openFailure(Throwable e) {
        return openFailure(e, null);
    }

    /**
     * {@link #openFailure(Throwable)}, with the user information of {@code url} masked wherever the message repeats it:
     * a driver that does not read {@code user:password@} before a host takes it for the host's name, and says so.
     */
    public static String openFailure(Throwable e, String url) {
        Throwable cur = e;
        for (int i = 0; i < 10 && cur.getCause() != null && cur.getCause() != cur; i++) {
            cur = cur.getCause();
        }
        String m = cur.getMessage() == null ? cur.getClass().getSimpleName() : cur.getMessage();
        if (url != null) {
            java.util.regex.Matcher userInfo = java.util.regex.Pattern.compile("//(.*)@").matcher(url);
            if (userInfo.find() && !userInfo.group(1).isEmpty()) {
                m = m.replace(userInfo.group(1), "****");
            }
        }
        return masked(m.replaceAll("\\s+", " ").trim());
    }

    /** jdbc:sqlite:data/copytrader.db -> data/copytrader.db; refuses in-memory SQLite (one database per connection). */
    public static Path sqliteFile(String url) {
        String path = url.substring("jdbc:sqlite:".length());
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.startsWith("file:")) {
            path = path.substring("file:".length());
        }
        if (path.isBlank() || path.contains(":memory:") || url.contains("mode=memory")) {
            throw new IllegalArgumentException("store URL must name a SQLite file "
                    + "(use 'memory' for a store that forgets), but was '" + url + "'");
        }
        return Path.of(path);
    }

    /**
     * Creates the store's directory, and the database file readable and writable by its owner only (0600) if it does
     * not exist yet; SQLite gives its -wal and -shm files the database file's permissions.
     */
    private static void createParentDirectory(String url) {
        Path file = sqliteFile(url).toAbsolutePath();
        Path parent = file.getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!Files.exists(file) && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // created meanwhile by someone else: theirs to set
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the store's file " + file, e);
        }
    }
}

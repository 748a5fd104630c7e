package io.copytrader.store;

import java.util.Locale;

/** The SQL databases the store runs on. The schema and statements are the same for both; only locking differs. */
public enum Dialect {
    /** One writer at a time per database file: writes are serialised in-process, reads run concurrently (WAL). */
    SQLITE(true),
    /** Row-level locking: writers run concurrently and conflicts are settled by the constraints. */
    POSTGRESQL(false);

    private final boolean serialisesWrites;

    Dialect(boolean serialisesWrites) {
        this.serialisesWrites = serialisesWrites;
    }

    public boolean serialisesWrites() {
        return serialisesWrites;
    }

    /**
     * What follows the SELECT of rows a claim takes: on PostgreSQL the rows are locked, and rows another instance is
     * claiming at this moment are skipped rather than waited for ({@code FOR UPDATE SKIP LOCKED}); SQLite has one
     * writer at a time, so the claim's UPDATE already runs alone.
     */
    public String claimLock() {
        return this == POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "";
    }

    /**
     * The statement that takes a trade's row lock in a transaction, before its intent ({@code FOR SHARE}) or an
     * outcome that depends on there being no intent ({@code FOR UPDATE}) is written; null on SQLite, whose writes
     * run one at a time already.
     */
    public String tradeRowLock(boolean exclusive) {
        return this == POSTGRESQL
                ? "SELECT 1 FROM trades WHERE trade_key = ?" + (exclusive ? " FOR UPDATE" : " FOR SHARE") : null;
    }

    /** From a JDBC URL; an unsupported URL is an IllegalArgumentException naming what is supported. */
    public static Dialect fromUrl(String jdbcUrl) {
        String url = jdbcUrl == null ? "" : jdbcUrl.trim().toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        String shown = jdbcUrl == null ? "null" : jdbcUrl.replaceAll("\\?.*", "?...");
        throw new IllegalArgumentException("store URL must start with jdbc:sqlite: or jdbc:postgresql: "
                + "(or be 'memory'), but was '" + shown + "'");
    }

    /** From what the driver says it is (DatabaseMetaData#getDatabaseProductName). */
    static Dialect fromProductName(String productName) {
        String name = productName.toLowerCase(Locale.ROOT);
        if (name.contains("sqlite")) {
            return SQLITE;
        }
        if (name.contains("postgres")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("the store runs on SQLite or PostgreSQL, not on " + productName);
    }
}

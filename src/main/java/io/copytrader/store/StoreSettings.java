package io.copytrader.store;

import java.util.Locale;

/**
 * Where and how the store keeps its data.
 *
 * @param url             {@code memory}, {@code jdbc:sqlite:<file>} or {@code jdbc:postgresql://...}
 * @param user            PostgreSQL only; may be null (then the URL or the driver's defaults apply)
 * @param password        PostgreSQL only; may be null. Never logged.
 * @param poolSize        connections kept open: on SQLite they serve concurrent reads (writes go one at a time)
 * @param sqliteSync      SQLite {@code synchronous}: FULL (every commit fsync'd: survives power loss) or NORMAL
 *                        (survives a killed process; a power cut may lose the last commits)
 * @param busyTimeoutMs   SQLite: how long a statement waits for another process's lock before failing
 */
public record StoreSettings(String url, String user, String password, int poolSize, SqliteSync sqliteSync,
                            int busyTimeoutMs) {

    public static final String MEMORY = "memory";
    public static final String DEFAULT_URL = "jdbc:sqlite:data/copytrader.db";

    /** SQLite's {@code PRAGMA synchronous} levels that are safe in WAL mode. */
    public enum SqliteSync { FULL, NORMAL }

    public StoreSettings {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(
                    "store URL must be 'memory', jdbc:sqlite:<file> or jdbc:postgresql://..., but was empty");
        }
        url = url.trim();
        if (!url.equalsIgnoreCase(MEMORY)) {
            Dialect.fromUrl(url);
        }
        if (poolSize < 1 || poolSize > 64) {
            throw new IllegalArgumentException("store pool size must be in [1, 64], but was " + poolSize);
        }
        if (sqliteSync == null) {
            throw new IllegalArgumentException("SQLite synchronous must be FULL or NORMAL, but was null");
        }
        if (busyTimeoutMs < 0) {
            throw new IllegalArgumentException("store busy timeout must be >= 0 ms, but was " + busyTimeoutMs);
        }
    }

    /** The defaults for a URL: pool of 4, synchronous FULL, 5 s busy timeout, no credentials. */
    public static StoreSettings of(String url) {
        return new StoreSettings(url, null, null, 4, SqliteSync.FULL, 5_000);
    }

    public StoreSettings withSqliteSync(SqliteSync sync) {
        return new StoreSettings(url, user, password, poolSize, sync, busyTimeoutMs);
    }

    public StoreSettings withCredentials(String user, String password) {
        return new StoreSettings(url, user, password, poolSize, sqliteSync, busyTimeoutMs);
    }

    public boolean isMemory() {
        return url.toLowerCase(Locale.ROOT).equals(MEMORY);
    }

    @Override
    public String toString() {
        return "StoreSettings[url=" + url.replaceAll("(?i)password=[^&;]*", "password=***") + ", user=" + user
                + ", poolSize=" + poolSize + ", sqliteSync=" + sqliteSync + ", busyTimeoutMs=" + busyTimeoutMs + "]";
    }
}

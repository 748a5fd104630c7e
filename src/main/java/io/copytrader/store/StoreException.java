package io.copytrader.store;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/** A store operation failed (database unreachable, disk full, locked past the busy timeout): nothing acknowledged. */
public final class StoreException extends RuntimeException {
    /** SQLite's primary result codes for a database another connection holds: SQLITE_BUSY, SQLITE_LOCKED. */
    private static final Set<Integer> SQLITE_BUSY_OR_LOCKED = Set.of(5, 6);
    /**
     * SQL states (PostgreSQL's) of failures that a moment later may not recur: a serialization failure, a deadlock,
     * the server shutting down or starting up, too many connections. Class 08 (connection exceptions) too, below.
     */
    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "57P01", "57P02", "57P03", "53300");

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether the same write, tried again a moment later, may well succeed: the connection failed or was dropped (a
     * PostgreSQL server restarting, a network blip), no connection came free in time, the file was locked past the
     * busy timeout (SQLite), a deadlock or serialization failure. Not a constraint violation (a bug), a full disk, a
     * closed store, or an error of no known kind. Such a write may still have been committed (a connection dropped
     * between the commit and its answer): trying it again is only for writes that can tell, or do not care.
     */
    public boolean isTransient() {
        for (Throwable t = getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e && transientSql(e)) {
                return true;
            }
        }
        return false;
    }

    private static boolean transientSql(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return true; // a connection timeout, a transaction rolled back, a connection that must be opened again
        }
        if (e instanceof org.sqlite.SQLiteException) {
            return SQLITE_BUSY_OR_LOCKED.contains(e.getErrorCode()); // the primary code, as SQLiteException sets it
        }
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || TRANSIENT_STATES.contains(state));
    }
}

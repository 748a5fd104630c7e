package io.copytrader.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reads' statements of a SQLite store behind a pool: each physical connection keeps the statements its readers
 * compiled ({@link ReusedStatements}), from one borrower to the next. The pool hands a connection to one thread at a
 * time, so a connection's statements are never used by two reads at once. A connection the pool closed (evicted as
 * broken, or at shutdown) took its statements with it; its entry is dropped when a new connection first reads.
 */
final class ReadStatements {

    private final Map<Connection, ReusedStatements> byConnection = new ConcurrentHashMap<>();

    /** {@code pooled} as a read sees it: statements kept on its physical connection, every other call to it. */
    Connection lend(Connection pooled) throws SQLException {
        Connection physical = pooled.unwrap(Connection.class);
        ReusedStatements kept = byConnection.get(physical);
        if (kept == null) {
            byConnection.values().removeIf(ReusedStatements::closed);
            kept = new ReusedStatements(physical);
            byConnection.put(physical, kept);
        }
        return kept.lend(pooled);
    }

    /** Physical connections with statements kept (for tests). */
    int connections() {
        return byConnection.size();
    }

    /** Statements compiled so far, over every connection (for tests). */
    long prepared() {
        return byConnection.values().stream().mapToLong(ReusedStatements::prepared).sum();
    }

    /** Forgets every connection's statements (the store is closing: the pool closes the connections, and them). */
    void clear() {
        byConnection.clear();
    }
}

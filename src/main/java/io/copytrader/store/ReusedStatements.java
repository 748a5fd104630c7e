package io.copytrader.store;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A SQLite connection as its work sees it: {@code prepareStatement(sql)} hands back the statement prepared for that SQL
 * earlier, its parameters cleared, and closing it keeps it for the next use. SQLite compiles a statement at every
 * prepare; the store's writes are a few fixed statements run thousands of times (an order's intent, its answer, a
 * trade's admission and outcome), and a profile of those writes showed them compiled again at every write. The same
 * holds for the reads of an idle engine: the order monitor's two queries, twice a second, were compiled again at each
 * pass (a third of a pass's CPU, with the pool's connections reused).
 *
 * <p>The group-commit writer keeps one for its own connection. Each pooled read connection has one too
 * ({@link ReadStatements}): its statements are compiled on the physical connection, so the pool does not close them
 * when the connection returns, and every other call goes to the pool's handle ({@link #lend}).
 *
 * <p>Handing a statement back closes the result set it left open, as closing it would: an open one would keep a read
 * transaction on the connection (past the writer's commit, or holding back the write-ahead log's checkpoint). Bounded
 * ({@link #MAX_STATEMENTS}, least recently used closed first). A statement still open when the same SQL is prepared
 * again (a write that nests the same statement) is prepared afresh and really closed; one that was closed under it is
 * prepared afresh and kept. The writer closes every kept statement after a failed batch, so none carries the state of
 * a failure into the next write, and when it lets the connection go. One thread at a time uses it (the writer's
 * leader, or the reader that holds the pooled connection), as with the connection itself.
 */
final class ReusedStatements {

    /** The distinct statements kept; the store has a few dozen, the hot path a handful. */
    static final int MAX_STATEMENTS = 64;

    private final Connection connection;
    private final Connection view;
    /** Where the view sends every call but {@code prepareStatement(sql)}: the connection, or the pool's handle of it. */
    private Connection delegate;
    /** Kept statements by SQL, least recently used first. */
    private final LinkedHashMap<String, Kept> kept = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
            if (size() > MAX_STATEMENTS) {
                eldest.getValue().closeQuietly();
                return true;
            }
            return false;
        }
    };
    private long prepared;

    ReusedStatements(Connection connection) {
        this.connection = connection;
        this.delegate = connection;
        this.view = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, this::onConnection);
    }

    /** The connection to hand to writes. */
    Connection connection() {
        return view;
    }

    /**
     * The view for one borrower of a pooled connection: statements from this connection (the physical one), every
     * other call to {@code pooled}, the pool's handle of it, which tracks what the borrower changes and puts it back.
     */
    Connection lend(Connection pooled) {
        this.delegate = pooled;
        return view;
    }

    /** Whether the connection was closed (by its pool, say): its statements are gone with it. */
    boolean closed() {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /** Statements compiled so far (for tests). */
    long prepared() {
        return prepared;
    }

    /** Statements kept now (for tests). */
    int kept() {
        return kept.size();
    }

    /** Closes every kept statement; the next prepare of each compiles it again. */
    void clear() {
        List<Kept> all = new ArrayList<>(kept.values());
        kept.clear();
        all.forEach(Kept::closeQuietly);
    }

    private Object onConnection(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("prepareStatement") && args != null && args.length == 1
                && args[0] instanceof String sql) {
            return statement(sql);
        }
        return invoke(delegate, method, args);
    }

    private PreparedStatement statement(String sql) throws SQLException {
        Kept k = kept.get(sql);
        if (k != null && !k.inUse) {
            try {
                k.statement.clearParameters();
                k.inUse = true;
                return k.view;
            } catch (SQLException | RuntimeException unusable) {
                kept.remove(sql); // closed under it, say: compiled afresh below, and kept instead
                k.closeQuietly();
                k = null;
            }
        }
        PreparedStatement fresh = connection.prepareStatement(sql);
        prepared++;
        if (k != null) {
            return fresh; // the kept one is open in this very write: this one is closed for real
        }
        Kept added = new Kept(fresh);
        added.inUse = true;
        kept.put(sql, added);
        return added.view;
    }

    /**
     * Calls the driver's method. The proxy hands every call the same {@link Method} objects (public methods of
     * {@code java.sql} interfaces), so each is made accessible once: an accessible method is invoked without the
     * caller check that otherwise walks the stack at every call (1 % of the engine's CPU samples at 1,000 trades/s,
     * a dozen JDBC calls a write).
     */
    @SuppressWarnings("deprecation") // isAccessible reads the flag only; canAccess would check the caller again
    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        if (!method.isAccessible()) {
            method.setAccessible(true);
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A kept statement and the view writes get of it, whose close only hands it back. */
    private static final class Kept {
        final PreparedStatement statement;
        final PreparedStatement view;
        boolean inUse;
        /** The result set of its last query, closed when the statement is handed back. */
        ResultSet results;

        Kept(PreparedStatement statement) {
            this.statement = statement;
            this.view = (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, this::onStatement);
        }

        private Object onStatement(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close" -> {
                    inUse = false;
                    closeResults();
                    return null;
                }
                case "isClosed" -> {
                    return !inUse || statement.isClosed();
                }
                default -> {
                    Object answer = invoke(statement, method, args);
                    if (answer instanceof ResultSet rs) {
                        results = rs;
                    }
                    return answer;
                }
            }
        }

        private void closeResults() throws SQLException {
            ResultSet rs = results;
            results = null;
            if (rs != null) {
                rs.close();
            }
        }

        void closeQuietly() {
            inUse = false;
            try {
                statement.close();
            } catch (SQLException ignored) {
                // let go of either way
            }
        }
    }
}

package io.copytrader.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The read statements kept per physical connection, with stand-ins for a pool's handles of two connections. */
class ReadStatementsTest {

    @TempDir
    Path dir;

    private final List<String> handleCalls = new ArrayList<>();
    private Connection one;
    private Connection two;
    private final ReadStatements reads = new ReadStatements();

    @BeforeEach
    void open() throws SQLException {
        one = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("reads.db"));
        two = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("reads.db"));
        try (Statement s = one.createStatement()) {
            s.execute("CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY)");
            s.execute("INSERT INTO t (k) VALUES ('a')");
        }
    }

    @AfterEach
    void close() throws SQLException {
        one.close();
        two.close();
    }

    @Test
    void shouldKeepEachConnectionsStatementsFromOneBorrowerToTheNext() throws SQLException {
        assertThat(read(reads.lend(handle(one)))).isEqualTo("a");
        assertThat(read(reads.lend(handle(one)))).isEqualTo("a");
        assertThat(reads.prepared()).isEqualTo(1);

        assertThat(read(reads.lend(handle(two)))).isEqualTo("a");
        assertThat(reads.prepared()).as("the other connection compiles its own").isEqualTo(2);
        assertThat(reads.connections()).isEqualTo(2);
    }

    @Test
    void shouldCompileOnThePhysicalConnectionAndSendEveryOtherCallToThePoolsHandle() throws SQLException {
        Connection view = reads.lend(handle(one));
        read(view);
        view.setAutoCommit(true);
        view.getMetaData();

        // the pool never sees the statement (it would close it when the connection returns); it sees the rest
        assertThat(handleCalls).containsExactly("setAutoCommit", "getMetaData");
    }

    @Test
    void shouldForgetAConnectionThePoolClosedWhenAnotherFirstReads() throws SQLException {
        read(reads.lend(handle(one)));
        one.close();

        assertThat(read(reads.lend(handle(two)))).isEqualTo("a");
        assertThat(reads.connections()).isEqualTo(1);
    }

    @Test
    void shouldSeeARowWrittenAfterTheStatementWasKept() throws SQLException {
        assertThat(read(reads.lend(handle(one)))).isEqualTo("a");
        try (Statement s = two.createStatement()) {
            s.execute("DELETE FROM t");
            s.execute("INSERT INTO t (k) VALUES ('b')");
        }
        assertThat(read(reads.lend(handle(one)))).isEqualTo("b");
        assertThat(reads.prepared()).isEqualTo(1);
    }

    private static String read(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT k FROM t ORDER BY k"); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** A pool's handle of {@code physical}, as HikariCP's is: unwraps to it, and notes every call it takes. */
    private Connection handle(Connection physical) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("unwrap")) {
                        return physical;
                    }
                    handleCalls.add(method.getName());
                    try {
                        return method.invoke(physical, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}

package io.copytrader.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReusedStatementsTest {

    private static final String INSERT = "INSERT INTO t (k) VALUES (?)";

    @TempDir
    Path dir;

    private Connection raw;
    private ReusedStatements statements;

    @BeforeEach
    void open() throws SQLException {
        raw = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("reused.db"));
        try (Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY)");
        }
        statements = new ReusedStatements(raw);
    }

    @AfterEach
    void close() throws SQLException {
        statements.clear();
        raw.close();
    }

    @Test
    void shouldHandBackTheStatementCompiledBeforeWhenItWasClosed() throws SQLException {
        PreparedStatement first = insert("a");
        PreparedStatement second = insert("b");

        assertThat(second).isSameAs(first);
        assertThat(statements.prepared()).isEqualTo(1);
        assertThat(count()).isEqualTo(2);
    }

    @Test
    void shouldClearTheParametersOfTheWriteBefore() throws SQLException {
        insert("a");
        try (PreparedStatement again = statements.connection().prepareStatement(INSERT)) {
            // nothing bound this time: the key is NULL, which the table refuses, rather than "a" again
            assertThatThrownBy(again::executeUpdate).isInstanceOf(SQLException.class).hasMessageContaining("NOT NULL");
        }
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void shouldCloseTheResultSetAWriteLeftOpenWhenItsStatementIsHandedBack() throws SQLException {
        insert("a");
        ResultSet left;
        try (PreparedStatement ps = statements.connection().prepareStatement("SELECT k FROM t")) {
            left = ps.executeQuery();
            assertThat(left.next()).isTrue();
        }
        assertThat(left.isClosed()).as("closed as a real close of the statement would").isTrue();
        try (PreparedStatement ps = statements.connection().prepareStatement("SELECT k FROM t");
             ResultSet again = ps.executeQuery()) {
            assertThat(again.next()).isTrue();
            assertThat(again.getString(1)).isEqualTo("a");
        }
    }

    @Test
    void shouldCompileAFreshStatementWhenTheSameSqlIsStillOpen() throws SQLException {
        Connection c = statements.connection();
        try (PreparedStatement outer = c.prepareStatement(INSERT)) {
            outer.setString(1, "outer");
            try (PreparedStatement inner = c.prepareStatement(INSERT)) {
                assertThat(inner).isNotSameAs(outer);
                inner.setString(1, "inner");
                assertThat(inner.executeUpdate()).isEqualTo(1);
            }
            assertThat(outer.executeUpdate()).as("its parameters untouched by the nested one").isEqualTo(1);
        }
        assertThat(statements.prepared()).isEqualTo(2);
        insert("after");
        assertThat(statements.prepared()).as("the kept one serves the next write").isEqualTo(2);
        assertThat(count()).isEqualTo(3);
    }

    @Test
    void shouldKeepAtMostItsBoundClosingTheLeastRecentlyUsed() throws SQLException {
        Connection c = statements.connection();
        List<PreparedStatement> compiledOnes = new ArrayList<>();
        for (int i = 0; i <= ReusedStatements.MAX_STATEMENTS; i++) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + i); ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(i);
                compiledOnes.add(ps.unwrap(PreparedStatement.class));
            }
        }
        assertThat(statements.kept()).isEqualTo(ReusedStatements.MAX_STATEMENTS);
        assertThat(compiledOnes.get(0).isClosed()).as("the eldest closed as it was let go").isTrue();
        assertThat(compiledOnes.subList(1, compiledOnes.size())).noneMatch(this::isClosed);
        long compiled = statements.prepared();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ReusedStatements.MAX_STATEMENTS)) {
            assertThat(ps.executeQuery().getInt(1)).isEqualTo(ReusedStatements.MAX_STATEMENTS);
        }
        assertThat(statements.prepared()).as("the most recent is still kept").isEqualTo(compiled);
        try (PreparedStatement ps = c.prepareStatement("SELECT 0")) {
            assertThat(ps.executeQuery().getInt(1)).isZero();
        }
        assertThat(statements.prepared()).as("the eldest was let go").isEqualTo(compiled + 1);
    }

    @Test
    void shouldCloseWhatItKeptAndCompileAgainAfterAClear() throws SQLException {
        PreparedStatement first = insert("a");
        PreparedStatement compiled = first.unwrap(PreparedStatement.class);
        assertThat(compiled.isClosed()).as("kept open between writes").isFalse();

        statements.clear();
        assertThat(compiled.isClosed()).as("closed by the clear").isTrue();
        PreparedStatement second = insert("b");

        assertThat(second).isNotSameAs(first);
        assertThat(statements.prepared()).isEqualTo(2);
        assertThat(count()).isEqualTo(2);
    }

    @Test
    void shouldCompileAfreshWhenAKeptStatementWasClosedUnderIt() throws SQLException {
        PreparedStatement first = insert("a");
        first.unwrap(PreparedStatement.class).close();

        PreparedStatement second = insert("b");
        PreparedStatement third = insert("c");

        assertThat(second).as("the closed one let go").isNotSameAs(first);
        assertThat(third).as("the fresh one kept").isSameAs(second);
        assertThat(statements.prepared()).isEqualTo(2);
        assertThat(count()).isEqualTo(3);
    }

    @Test
    void shouldShowAKeptStatementOpenOnlyWhileAWriteHasIt() throws SQLException {
        PreparedStatement ps = statements.connection().prepareStatement(INSERT);
        assertThat(ps.isClosed()).isFalse();
        ps.close();
        assertThat(ps.isClosed()).as("handed back").isTrue();
        assertThat(ps.unwrap(PreparedStatement.class).isClosed()).as("yet kept open").isFalse();

        PreparedStatement again = statements.connection().prepareStatement(INSERT);
        assertThat(again).isSameAs(ps);
        assertThat(again.isClosed()).isFalse();
        again.unwrap(PreparedStatement.class).close();
        assertThat(again.isClosed()).as("closed under it").isTrue();
    }

    private boolean isClosed(PreparedStatement ps) {
        try {
            return ps.isClosed();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private PreparedStatement insert(String key) throws SQLException {
        try (PreparedStatement ps = statements.connection().prepareStatement(INSERT)) {
            ps.setString(1, key);
            assertThat(ps.executeUpdate()).isEqualTo(1);
            return ps;
        }
    }

    private long count() throws SQLException {
        try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

package io.copytrader.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Flyway migrates through one connection, which closing what it was handed leaves open for its owner. */
class MigrationDataSourceTest {
    @TempDir
    Path dir;

    @Test
    void shouldHandOutOneConnectionThatOnlyItsOwnerCloses() throws SQLException {
        try (Connection real = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("m.db"))) {
            MigrationDataSource source = new MigrationDataSource(real);
            Connection handed = source.getConnection();
            assertThat(source.getConnection("someone", "secret")).isSameAs(handed);
            try (Statement s = handed.createStatement()) {
                s.execute("CREATE TABLE t (k TEXT)");
            }

            handed.close();
            assertThat(handed.isClosed()).isFalse();
            assertThat(real.isClosed()).as("still its owner's").isFalse();
            try (Statement s = real.createStatement()) {
                assertThat(s.executeUpdate("INSERT INTO t VALUES ('x')")).isOne();
            }
            assertThat(handed).isEqualTo(handed).isNotEqualTo(real)
                    .hasSameHashCodeAs(System.identityHashCode(handed));

            real.close();
            assertThat(handed.isClosed()).as("closed with its owner's").isTrue();
        }
    }

    @Test
    void shouldUnwrapToItselfOnlyAndLogNothing() throws SQLException {
        try (Connection real = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("m.db"))) {
            MigrationDataSource source = new MigrationDataSource(real);
            assertThat(source.isWrapperFor(DataSource.class)).isTrue();
            assertThat(source.unwrap(DataSource.class)).isSameAs(source);
            assertThat(source.isWrapperFor(Connection.class)).isFalse();
            assertThatThrownBy(() -> source.unwrap(Connection.class)).isInstanceOf(SQLException.class)
                    .hasMessage("not a wrapper of java.sql.Connection");
            assertThat(source.getLogWriter()).isNull();
            assertThat(source.getLoginTimeout()).isZero();
            assertThatThrownBy(source::getParentLogger).isInstanceOf(SQLFeatureNotSupportedException.class);
        }
    }
}

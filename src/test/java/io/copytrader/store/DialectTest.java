package io.copytrader.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What differs between SQLite and PostgreSQL: who serialises the writes, and the locks PostgreSQL takes. */
class DialectTest {

    @Test
    void shouldTellTheDatabaseFromItsUrlInAnyCaseAndRefuseAnyOther() {
        assertThat(Dialect.fromUrl("jdbc:sqlite:data/copytrader.db")).isEqualTo(Dialect.SQLITE);
        assertThat(Dialect.fromUrl(" JDBC:PostgreSQL://db:5432/ct ")).isEqualTo(Dialect.POSTGRESQL);
        assertThatThrownBy(() -> Dialect.fromUrl("jdbc:mysql://db/ct?password=hunter2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("store URL must start with jdbc:sqlite: or jdbc:postgresql: (or be 'memory'), "
                        + "but was 'jdbc:mysql://db/ct?...'");
        assertThatThrownBy(() -> Dialect.fromUrl(null)).hasMessageEndingWith("but was 'null'");
    }

    @Test
    void shouldTellTheDatabaseFromWhatItsDriverSaysItIs() {
        assertThat(Dialect.fromProductName("SQLite")).isEqualTo(Dialect.SQLITE);
        assertThat(Dialect.fromProductName("PostgreSQL")).isEqualTo(Dialect.POSTGRESQL);
        assertThatThrownBy(() -> Dialect.fromProductName("MySQL")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the store runs on SQLite or PostgreSQL, not on MySQL");
    }

    @Test
    void shouldSerialiseWritesInProcessOnlyOnSqliteAndLockRowsOnlyOnPostgres() {
        assertThat(Dialect.SQLITE.serialisesWrites()).isTrue();
        assertThat(Dialect.SQLITE.claimLock()).isEmpty();
        assertThat(Dialect.SQLITE.tradeRowLock(true)).isNull();
        assertThat(Dialect.SQLITE.tradeRowLock(false)).isNull();

        assertThat(Dialect.POSTGRESQL.serialisesWrites()).isFalse();
        assertThat(Dialect.POSTGRESQL.claimLock()).isEqualTo(" FOR UPDATE SKIP LOCKED");
        // an outcome that depends on there being no intent locks the row; an intent only keeps it from changing
        assertThat(Dialect.POSTGRESQL.tradeRowLock(true)).isEqualTo("SELECT 1 FROM trades WHERE trade_key = ? FOR UPDATE");
        assertThat(Dialect.POSTGRESQL.tradeRowLock(false)).isEqualTo("SELECT 1 FROM trades WHERE trade_key = ? FOR SHARE");
    }
}

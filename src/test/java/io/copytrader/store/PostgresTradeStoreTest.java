package io.copytrader.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.UUID;

/**
 * The contract on PostgreSQL, each test in a fresh schema. Runs only when {@code COPYTRADER_TEST_POSTGRES_URL} names
 * a database the test may create schemas in, e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=ct}.
 */
@EnabledIfEnvironmentVariable(named = PostgresTradeStoreTest.URL_VARIABLE, matches = ".+")
class PostgresTradeStoreTest extends TradeStoreContractTest {

    static final String URL_VARIABLE = "COPYTRADER_TEST_POSTGRES_URL";

    private final String schema = "ct_test_" + UUID.randomUUID().toString().replace("-", "");

    @Override
    protected TradeStore createStore(Clock clock) {
        String url = System.getenv(URL_VARIABLE);
        execute(url, "CREATE SCHEMA IF NOT EXISTS " + schema);
        return StoreFactory.open(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, clock);
    }

    @AfterEach
    void dropSchema() {
        store.close();
        execute(System.getenv(URL_VARIABLE), "DROP SCHEMA " + schema + " CASCADE");
    }

    private static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("could not run '" + sql + "' on the test database", e);
        }
    }
}

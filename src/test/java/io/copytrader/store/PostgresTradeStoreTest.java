package io.copytrader.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.time.Clock;

/**
 * The contract on PostgreSQL, each test in a fresh schema of the database {@link TestPostgres} names (skipped without
 * one on a developer's machine, failed without one under CI).
 */
class PostgresTradeStoreTest extends TradeStoreContractTest {

    private String schema;

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.requireUrl();
    }

    @Override
    protected TradeStore createStore(Clock clock) {
        schema = TestPostgres.createSchema();
        return StoreFactory.open(TestPostgres.settings(schema), clock);
    }

    @AfterEach
    void dropSchema() {
        if (schema != null) {
            store.close();
            TestPostgres.dropSchema(schema);
        }
    }
}

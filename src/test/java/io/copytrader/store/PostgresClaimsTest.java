package io.copytrader.store;

import org.junit.jupiter.api.BeforeAll;

/** The claims on PostgreSQL, a schema of its own per test (skipped without a database). */
class PostgresClaimsTest extends StoreClaimsTest {
    private String schema;

    @BeforeAll
    static void requirePostgres() {
        TestPostgres.requireUrl();
    }

    @Override
    protected TradeStore openStore() {
        if (schema == null) {
            schema = TestPostgres.createSchema();
        }
        return StoreFactory.open(TestPostgres.settings(schema), clock);
    }

    @Override
    protected void dropDatabase() {
        TestPostgres.dropSchema(schema);
    }
}

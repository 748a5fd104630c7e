package io.copytrader.scenario;

import io.copytrader.store.EngineLock;
import io.copytrader.store.StoreSettings;
import io.copytrader.store.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One engine per PostgreSQL store, after the start too: the engine's lock ends with its database session (a server
 * restart, a failover). An engine that finds the lock taken by another engine meanwhile stops, rather than copy the
 * same trades beside it; one that finds it free takes it again and goes on.
 */
@Timeout(120)
class StoreLockScenarioTest {

    @Test
    void shouldStopAnEngineWhoseLockAnotherEngineTookAfterItsSessionEnded() throws Exception {
        TestPostgres.requireUrl();
        String schema = TestPostgres.createSchema();
        String url = TestPostgres.schemaUrl(schema)
                + (TestPostgres.user() == null ? "" : "&user=" + TestPostgres.user())
                + (TestPostgres.password() == null ? "" : "&password=" + TestPostgres.password());
        try (EngineHarness h = EngineHarness.builder().set("copytrader.store.url", url).start()) {
            h.emit(3);
            h.awaitSettled(3, Duration.ofSeconds(30));

            // 1. the server ends the lock's session, and another engine takes the lock before this one looks again
            //    (should this engine take it back first, the server ends that session too, until the other wins)
            StoreSettings settings = StoreSettings.of(url);
            EngineLock other = null;
            while (other == null) {
                TestPostgres.endLockSessions(schema);
                try {
                    other = EngineLock.acquire(settings, Duration.ZERO, line -> { });
                } catch (EngineLock.HeldElsewhere retaken) {
                    // this engine's check came first: again
                }
            }
            try {
                // 2. this engine finds the lock taken, and stops (before: it went on copying beside the other)
                await().atMost(Duration.ofSeconds(60)).until(() -> h.context().isStopped());
                // stopped gracefully: nothing left in flight (its store is closed with it: read it afresh)
                io.copytrader.store.TradeStore store = io.copytrader.store.StoreFactory.open(settings,
                        java.time.Clock.systemUTC());
                try {
                    assertThat(store.inFlightCount()).isZero();
                    assertThat(store.detectedCount()).isEqualTo(3);
                } finally {
                    store.close();
                }
            } finally {
                other.close();
            }
        } finally {
            TestPostgres.dropSchema(schema);
        }
    }
}

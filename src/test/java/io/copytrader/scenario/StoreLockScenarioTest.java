package io.copytrader.scenario;

import io.copytrader.store.EngineLock;
import io.copytrader.store.StoreSettings;
import io.copytrader.store.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One engine per store, after the start too: PostgreSQL's engine lock ends with its database session (a server
 * restart, a failover); SQLite's holds a lock file an operator may delete. An engine that finds the lock taken by
 * another engine meanwhile stops, rather than copy the same trades beside it; one that finds it free takes it again
 * and goes on.
 */
@Timeout(120)
class StoreLockScenarioTest {

    private interface LockLoss {
        void happen() throws Exception;
    }

    /**
     * The running engine's lock lost ({@code loss}) and taken by another engine before the running one looks again;
     * should the running engine take it back first, the loss happens again, until the other one wins.
     */
    private static EngineLock takenByAnotherEngineAfter(LockLoss loss, StoreSettings settings) throws Exception {
        while (true) {
            loss.happen();
            try {
                return EngineLock.acquire(settings, Duration.ZERO, line -> { });
            } catch (EngineLock.HeldElsewhere retaken) {
                // the running engine's check came first: again
            }
        }
    }

    @Test
    void shouldStopAnEngineWhoseLockFileWasDeletedAndLockedByAnotherEngine(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        Path lockFile = dir.resolve("copytrader.db.lock");
        try (EngineHarness h = EngineHarness.builder().set("copytrader.store.url", url).start()) {
            h.emit(3);
            h.awaitSettled(3, Duration.ofSeconds(30));

            // 1. an operator deletes the lock file as a stale one, and a second engine starts: it creates the file
            //    anew and locks it (should this engine lock the new file first, the operator deletes it again)
            EngineLock other = takenByAnotherEngineAfter(() -> Files.deleteIfExists(lockFile), StoreSettings.of(url));
            try {
                // 2. this engine finds its lock file gone and the new one locked, and stops (before: it went on
                //    copying beside the second)
                await().atMost(Duration.ofSeconds(60)).until(() -> h.context().isStopped());
            } finally {
                other.close();
            }
        }
    }

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
            EngineLock other = takenByAnotherEngineAfter(() -> TestPostgres.endLockSessions(schema), settings);
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

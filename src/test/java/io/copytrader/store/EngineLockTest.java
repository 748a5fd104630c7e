package io.copytrader.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One engine per store: a second is held off while the first runs, and gets the store once it stops or dies. */
@Timeout(120)
class EngineLockTest {
    @TempDir
    Path dir;

    private String sqliteUrl() {
        return "jdbc:sqlite:" + dir.resolve("copytrader.db");
    }

    @Test
    void shouldRefuseASecondEngineOnTheSameSqliteStoreAndLetOneInOnceTheFirstStopped() {
        List<String> told = new ArrayList<>();
        EngineLock first = EngineLock.acquire(StoreSettings.of(sqliteUrl()), Duration.ZERO, told::add);
        assertThat(dir.resolve("copytrader.db.lock")).exists();

        assertThatThrownBy(() -> EngineLock.acquire(StoreSettings.of(sqliteUrl()), Duration.ofMillis(300), told::add))
                .isInstanceOf(EngineLock.HeldElsewhere.class)
                .hasMessageContaining("another CopyTrader engine is using the store " + dir.resolve("copytrader.db"))
                .hasMessageContaining("did not stop within 0 s");
        assertThat(told).singleElement().asString().startsWith("Another CopyTrader engine is using the store ")
                .contains("(process " + ProcessHandle.current().pid() + ")").endsWith("waiting up to 0 s for it to stop");

        // another store beside it is another engine's business
        EngineLock.acquire(StoreSettings.of("jdbc:sqlite:" + dir.resolve("other.db")), Duration.ZERO, told::add).close();

        first.close();
        EngineLock.acquire(StoreSettings.of(sqliteUrl()), Duration.ZERO, told::add).close();
        assertThat(told).hasSize(1);
    }

    @Test
    void shouldWaitForAnEngineThatIsStoppingAndTakeTheStoreWhenItHasStopped() throws Exception {
        EngineLock stopping = EngineLock.acquire(StoreSettings.of(sqliteUrl()), Duration.ZERO, line -> { });
        CountDownLatch waiting = new CountDownLatch(1);
        Thread stopper = new Thread(() -> {
            try {
                waiting.await(); // the second engine is waiting for the store now
                stopping.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();
        try (EngineLock next = EngineLock.acquire(StoreSettings.of(sqliteUrl()), Duration.ofSeconds(60), line -> waiting.countDown())) {
            assertThat(next).isNotNull();
            assertThat(waiting.getCount()).as("it waited").isZero();
        }
        stopper.join();
    }

    @Test
    void shouldHoldOffAnotherProcessesEngineAndGetTheStoreBackWhenThatProcessIsKilled() throws Exception {
        Process holder = startHolder(sqliteUrl());
        try {
            assertThatThrownBy(() -> EngineLock.acquire(StoreSettings.of(sqliteUrl()), Duration.ofMillis(200), line -> { }))
                    .isInstanceOf(EngineLock.HeldElsewhere.class)
                    .hasMessageContaining("(process " + holder.pid() + ")");
        } finally {
            holder.destroyForcibly(); // kill -9: the operating system drops the lock with the process
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        EngineLock.acquire(StoreSettings.of(sqliteUrl()), Duration.ofSeconds(10), line -> { }).close();
    }

    @Test
    void shouldTellAStoreInMemoryToNobody() {
        try (EngineLock a = EngineLock.acquire(StoreSettings.of("memory"), Duration.ZERO, line -> { });
             EngineLock b = EngineLock.acquire(StoreSettings.of("memory"), Duration.ZERO, line -> { })) {
            assertThat(a).isNotSameAs(b);
        }
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void shouldLockAStoreWhoseDirectoryIsNotThereYet() {
        // a first start: the engine locks its store before the store's directory is made
        Path file = dir.resolve("data/nested/copytrader.db");
        try (EngineLock lock = EngineLock.acquire(StoreSettings.of("jdbc:sqlite:" + file), Duration.ZERO, line -> { })) {
            assertThat(dir.resolve("data/nested/copytrader.db.lock")).exists();
            assertThatThrownBy(() -> EngineLock.acquire(StoreSettings.of("jdbc:sqlite:" + file), Duration.ZERO,
                    line -> { })).isInstanceOf(EngineLock.HeldElsewhere.class);
        }
    }

    @Test
    void shouldStopWaitingWhenInterruptedAndKeepTheInterrupt() throws Exception {
        try (EngineLock held = EngineLock.acquire(StoreSettings.of(sqliteUrl()), Duration.ZERO, line -> { })) {
            CountDownLatch waiting = new CountDownLatch(1);
            List<Object> outcome = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread second = new Thread(() -> {
                try {
                    EngineLock.acquire(StoreSettings.of(sqliteUrl()), Duration.ofSeconds(60), line -> waiting.countDown())
                            .close();
                    outcome.add("locked");
                } catch (EngineLock.HeldElsewhere e) {
                    outcome.add(e);
                    outcome.add(Thread.currentThread().isInterrupted());
                }
            });
            second.start();
            assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
            second.interrupt(); // a stop asked for while waiting
            second.join(TimeUnit.SECONDS.toMillis(30));

            assertThat(second.isAlive()).isFalse();
            assertThat(outcome).hasSize(2);
            assertThat((Throwable) outcome.get(0)).hasMessageStartingWith("interrupted while waiting for the store "
                    + dir.resolve("copytrader.db"));
            assertThat(outcome.get(1)).as("still interrupted").isEqualTo(true);
        }
    }

    @Test
    void shouldSayItWasInterruptedWhenAskedToStopAsItTakesTheLock() {
        // the file lock is taken on an interruptible channel: a stop asked for just then closes it under the attempt
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> EngineLock.acquire(StoreSettings.of(sqliteUrl()), Duration.ZERO, line -> { }))
                    .isInstanceOf(EngineLock.HeldElsewhere.class)
                    .hasMessage("interrupted while waiting for the store " + dir.resolve("copytrader.db"));
            assertThat(Thread.currentThread().isInterrupted()).as("still interrupted").isTrue();
        } finally {
            Thread.interrupted();
        }
        EngineLock.acquire(StoreSettings.of(sqliteUrl()), Duration.ZERO, line -> { }).close();
    }

    @Test
    void shouldRefuseASecondEngineOnTheSamePostgresSchemaButNotOnAnother() throws Exception {
        TestPostgres.requireUrl();
        String schema = TestPostgres.createSchema();
        String other = TestPostgres.createSchema();
        try {
            StoreSettings settings = TestPostgres.settings(schema);
            Process holder = startHolder(settings.url(), settings.user(), settings.password());
            try {
                assertThatThrownBy(() -> EngineLock.acquire(settings, Duration.ofMillis(300), line -> { }))
                        .isInstanceOf(EngineLock.HeldElsewhere.class)
                        .hasMessageContaining("another CopyTrader engine is using the store jdbc:postgresql:");
                // the same database, another schema: another store
                EngineLock.acquire(TestPostgres.settings(other), Duration.ZERO, line -> { }).close();
            } finally {
                holder.destroyForcibly(); // the server ends the session, and its lock with it
                assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            EngineLock.acquire(settings, Duration.ofSeconds(20), line -> { }).close();
        } finally {
            TestPostgres.dropSchema(schema);
            TestPostgres.dropSchema(other);
        }
    }

    @Test
    void shouldTakeAPostgresLockAgainWhenItsSessionEndsAndTellWhenAnotherEngineTookItMeanwhile() throws Exception {
        TestPostgres.requireUrl();
        String schema = TestPostgres.createSchema();
        try {
            StoreSettings settings = TestPostgres.settings(schema);
            try (EngineLock lock = EngineLock.acquire(settings, Duration.ZERO, line -> { })) {
                assertThat(lock.canBeLost()).isTrue();
                assertThat(lock.check()).isEqualTo(EngineLock.Check.HELD);

                // the server ends the lock's session (a restart, a failover): the lock is gone with it
                assertThat(TestPostgres.endLockSessions(schema)).isEqualTo(1);
                assertThat(lock.check()).as("taken again").isEqualTo(EngineLock.Check.RETAKEN);
                assertThat(lock.check()).isEqualTo(EngineLock.Check.HELD);
                assertThatThrownBy(() -> EngineLock.acquire(settings, Duration.ZERO, line -> { }))
                        .as("held again: a second engine is refused").isInstanceOf(EngineLock.HeldElsewhere.class);

                // again, and another engine takes the lock before this one looks
                assertThat(TestPostgres.endLockSessions(schema)).isEqualTo(1);
                try (EngineLock other = EngineLock.acquire(settings, Duration.ZERO, line -> { })) {
                    assertThat(lock.check()).isEqualTo(EngineLock.Check.TAKEN_ELSEWHERE);
                }
            }
        } finally {
            TestPostgres.dropSchema(schema);
        }
    }

    @Test
    void shouldLockTheLockFileAgainWhenItWasDeletedAndTellWhenAnotherEngineLockedANewOne() throws Exception {
        Path lockFile = dir.resolve("copytrader.db.lock");
        StoreSettings settings = StoreSettings.of(sqliteUrl());
        try (EngineLock lock = EngineLock.acquire(settings, Duration.ZERO, line -> { })) {
            assertThat(lock.canBeLost()).isTrue();
            assertThat(lock.check()).isEqualTo(EngineLock.Check.HELD);

            // an operator deletes what looks like a stale lock file: the lock is on a file no engine opens any more
            Files.delete(lockFile);
            assertThat(lock.check()).as("a new file, locked").isEqualTo(EngineLock.Check.RETAKEN);
            assertThat(lockFile).exists();
            assertThat(lock.check()).isEqualTo(EngineLock.Check.HELD);
            assertThatThrownBy(() -> EngineLock.acquire(settings, Duration.ZERO, line -> { }))
                    .as("held again: a second engine is refused").isInstanceOf(EngineLock.HeldElsewhere.class);

            // again, and a second engine starts before this one looks: it creates the file anew and locks it
            Files.delete(lockFile);
            try (EngineLock other = EngineLock.acquire(settings, Duration.ZERO, line -> { })) {
                assertThat(lock.check()).isEqualTo(EngineLock.Check.TAKEN_ELSEWHERE);
            }
        }
    }

    /** Another JVM holding the lock; returns once it says it holds it. */
    private static Process startHolder(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EngineLockHolder.class.getName()));
        for (String a : args) {
            command.add(a == null ? "" : a);
        }
        Process holder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("the holder took the lock").isEqualTo("locked");
        return holder;
    }
}

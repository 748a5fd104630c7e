package io.copytrader.store;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a process that is writing to the store (kill -9, {@link Process#destroyForcibly()}) at random moments, again
 * and again on the same database file, then checks that every write the process acknowledged is there, that nothing
 * was written twice, and that detected = sum(outcomes) + in flight. Rounds alternate synchronous FULL and NORMAL:
 * both must survive a killed process (the operating system still holds what was written); only FULL also survives
 * a power cut, which this test cannot make. The same runs on PostgreSQL when {@link TestPostgres} names one.
 */
@Tag("crash")
class StoreCrashTest {

    private static final int ROUNDS = 14;
    private static final int POSTGRES_ROUNDS = 8;
    /** The first rounds kill at a random time from launch, so also while the store opens and Flyway migrates. */
    private static final int TIMED_ROUNDS = 3;
    private static final int SIGKILL_EXIT = 128 + 9;
    private static final int THREADS = 4;

    @TempDir
    Path dir;

    private final Set<String> admitted = new HashSet<>();
    private final Set<String> intents = new HashSet<>();
    private final Map<String, TradeOutcome> finished = new HashMap<>();
    private final Map<Long, String> letters = new HashMap<>();
    private final Map<String, Integer> cursors = new HashMap<>();
    private final List<String> broken = new ArrayList<>();
    private int killedWhileOpening;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void shouldKeepEveryAcknowledgedWriteAcrossRepeatedKills() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("crash.db");
        crashAndCheck(url, ROUNDS, StoreSettings.of(url), () -> DriverManager.getConnection(url));
        try (Connection c = DriverManager.getConnection(url);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ok");
        }
    }

    /** The same on PostgreSQL (the production store), in a schema of its own; fewer rounds, as nothing alternates. */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void shouldKeepEveryAcknowledgedWriteAcrossRepeatedKillsOnPostgres() throws Exception {
        String schema = TestPostgres.createSchema();
        try {
            crashAndCheck(TestPostgres.schemaUrl(schema), POSTGRES_ROUNDS, TestPostgres.settings(schema),
                    () -> TestPostgres.connect(schema));
        } finally {
            TestPostgres.dropSchema(schema);
        }
    }

    private void crashAndCheck(String url, int rounds, StoreSettings settings, Connect connect) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int round = 0; round < rounds; round++) {
                // 1. kill the child at a random moment: early on, or after a random number of acknowledged writes
                if (round < TIMED_ROUNDS) {
                    runAndKill(url, round, Integer.MAX_VALUE, killer, 100 + random.nextInt(1500));
                } else {
                    runAndKill(url, round, 20 + random.nextInt(400), killer, 0);
                }
            }
        } finally {
            killer.shutdownNow();
        }
        System.out.printf("%d kills (%d before the store was open; seed %d): %d admits, %d intents, %d outcomes, "
                + "%d dead letters acknowledged%n", rounds, killedWhileOpening, seed, admitted.size(), intents.size(),
                finished.size(), letters.size());
        assertThat(broken).as("contract breaks reported by the child (seed %d)", seed).isEmpty();

        // 2. reopen the same database as the engine would after a crash and check every acknowledged write
        try (TradeStore store = StoreFactory.open(settings, Clock.systemUTC())) {
            for (String key : admitted) {
                assertThat(store.trade(key)).as("acknowledged admit of %s", key).isPresent();
            }
            for (String key : intents) {
                ClientOrderId id = store.trade(key).orElseThrow().clientOrderId();
                assertThat(store.order(id)).as("acknowledged intent of %s", key).isPresent();
            }
            for (Map.Entry<Long, String> letter : letters.entrySet()) {
                assertThat(store.deadLetter(letter.getKey()).orElseThrow().trade().key()).isEqualTo(letter.getValue());
            }
            for (Map.Entry<String, Integer> cursor : cursors.entrySet()) {
                int stored = Integer.parseInt(store.cursor(new TraderId(cursor.getKey())).orElseThrow());
                assertThat(stored).as("cursor of %s", cursor.getKey()).isBetween(cursor.getValue(), cursor.getValue() + 1);
            }

            // 3. nothing doubled: beyond what was acknowledged, at most the one write each thread had under way
            int underWay = rounds * THREADS;
            assertThat(store.detectedCount()).isBetween((long) admitted.size(), (long) admitted.size() + underWay);
            assertThat(store.deadLetters()).hasSizeBetween(letters.size(), letters.size() + underWay);
            assertThat(store.deadLetters()).extracting(DeadLetter::id).doesNotHaveDuplicates();

            // 4. the invariant
            long outcomes = store.outcomeCounts().values().stream().mapToLong(Long::longValue).sum();
            assertThat(store.detectedCount()).isEqualTo(outcomes + store.inFlightCount());
            assertThat(store.inFlight()).hasSize((int) store.inFlightCount());
        }
        try (Connection c = connect.open()) {
            assertOutcomesAndOrders(c, rounds);
        }
    }

    @FunctionalInterface
    private interface Connect {
        Connection open() throws Exception;
    }

    private void assertOutcomesAndOrders(Connection c, int rounds) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT outcome FROM trades WHERE trade_key = ?")) {
            for (Map.Entry<String, TradeOutcome> f : finished.entrySet()) {
                ps.setString(1, f.getKey());
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).as("outcome of %s", f.getKey()).isEqualTo(f.getValue().name());
                }
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT trade_key) FROM orders")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(rs.getLong(2)).isBetween((long) intents.size(),
                    (long) intents.size() + rounds * THREADS);
        }
    }

    /** Kills the child after {@code killAfterMillis} (if positive) or after that many acknowledgements. */
    private void runAndKill(String url, int round, int acknowledgementsBeforeKill, ScheduledExecutorService killer,
                            int killAfterMillis) throws Exception {
        Path stderr = dir.resolve("child-" + round + ".err");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Dorg.sqlite.tmpdir=" + dir, "-Dlogback.configurationFile=" + writeQuietLogback(),
                "-cp", System.getProperty("java.class.path"),
                StoreCrashChild.class.getName(), url, Integer.toString(round), Integer.toString(THREADS),
                (round % 2 == 0 ? StoreSettings.SqliteSync.FULL : StoreSettings.SqliteSync.NORMAL).name())
                .redirectError(stderr.toFile())
                .start();
        if (killAfterMillis > 0) {
            killer.schedule(() -> child.toHandle().destroyForcibly(), killAfterMillis, TimeUnit.MILLISECONDS);
        }
        int acknowledged = 0;
        boolean killed = false;
        boolean ready = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (record(line)) {
                    acknowledged++;
                }
                ready |= line.equals("READY");
                if (!killed && acknowledged >= acknowledgementsBeforeKill) {
                    // SIGKILL through the handle: Process#destroyForcibly would also close our end of the pipe,
                    // and the lines already in it are acknowledgements too
                    killed = true;
                    child.toHandle().destroyForcibly();
                }
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        if (!ready) {
            killedWhileOpening++;
        }
        assertThat(child.exitValue()).as("round %d: the child was not killed but ended by itself:%n%s", round,
                Files.exists(stderr) ? Files.readString(stderr) : "").isEqualTo(SIGKILL_EXIT);
    }

    /** Takes one acknowledgement line; false for anything else (READY, stray output). */
    private boolean record(String line) {
        String[] f = line.split(" ");
        switch (f[0]) {
            case "A" -> admitted.add(f[1]);
            case "I" -> intents.add(f[1]);
            case "F" -> finished.put(f[1], TradeOutcome.valueOf(f[2]));
            case "D" -> letters.put(Long.parseLong(f[1]), f[2]);
            case "C" -> cursors.put(f[1], Integer.parseInt(f[2]));
            case "BAD" -> broken.add(line);
            default -> {
                return false;
            }
        }
        return true;
    }

    private Path writeQuietLogback() throws Exception {
        Path file = dir.resolve("logback-quiet.xml");
        if (!Files.exists(file)) {
            Files.writeString(file, "<configuration><root level=\"WARN\"/></configuration>");
        }
        return file;
    }
}

package io.copytrader.crash;

import io.copytrader.CopyTraderCli;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.paper.FillModelSettings;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueAdmin;
import io.copytrader.paper.PaperVenueConfig;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.StoreSettings;
import io.copytrader.store.TradeStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the engine, again and again, while the target trades at 20 trades/s and the venue answers some orders
 * 500 or 429, takes some without answering, resets some connections and spoils some feed rows: nothing copied twice,
 * nothing forgotten, every failed trade in the dead letters, the venue's positions exactly the store's fills. The paper
 * venue lives in this JVM; the engine runs as its own process on a SQLite store, exactly as `java -jar copytrader.jar`
 * would (same main class, routes/ and application.properties from the project folder).
 *
 * <p>The same test is the soak: system properties {@code copytrader.soak.rate} (trades/s, default 20),
 * {@code copytrader.soak.kills} (default 10) and {@code copytrader.soak.max-life-ms} (the longest an engine runs
 * before its kill, default 2,700; the shortest is 200), with {@code -Djunit.jupiter.execution.timeout.mode=disabled}
 * for runs longer than the test's timeout (README, "Soak").
 */
@Tag("crash")
@Timeout(420)
class EngineCrashTest {
    private static final String TRADER = "alice";
    private static final double RATE = Double.parseDouble(System.getProperty("copytrader.soak.rate", "20"));
    private static final int KILLS = Integer.getInteger("copytrader.soak.kills", 10);
    private static final int MAX_LIFE_MS = Math.max(201, Integer.getInteger("copytrader.soak.max-life-ms", 2_700));

    @TempDir
    Path dir;

    @Test
    void shouldNeitherDoubleNorLoseATradeAcrossTenKillNines() throws Exception {
        Random random = new Random(20261124L);
        PaperVenueConfig config = PaperVenueConfig.builder().port(0).seed(11).traders(Map.of(TRADER, RATE))
                .startingCash(new BigDecimal("100000000")).fillModel(FillModelSettings.DEFAULT).build();
        String storeUrl = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        try (PaperVenue venue = PaperVenue.start(config);
             TradeStore store = StoreFactory.open(StoreSettings.of(storeUrl), Clock.systemUTC())) {
            PaperVenueAdmin admin = new PaperVenueAdmin(venue.baseUrl());
            // 1. ten times: start the engine, let it copy for a random moment, kill -9 it; meanwhile the venue
            //    answers some orders 500 (in bursts of 12 every other round) and 429 with Retry-After
            for (int round = 1; round <= KILLS; round++) {
                admin.clearFaults();
                admin.injectFault(round % 2 == 1 ? FaultSpec.burst(FaultKind.HTTP_5XX, 12)
                        : FaultSpec.withProbability(FaultKind.HTTP_5XX, 0.03));
                admin.injectFault(FaultSpec.withProbability(FaultKind.RATE_LIMIT_429, 0.03).withRetryAfter(1));
                // answers lost after the venue took the order, connections reset before it could, spoiled feed rows
                admin.injectFault(FaultSpec.withProbability(FaultKind.TIMEOUT_AFTER_ACCEPT, 0.03));
                admin.injectFault(FaultSpec.withProbability(FaultKind.CONNECTION_RESET, 0.03));
                admin.injectFault(FaultSpec.withProbability(FaultKind.MALFORMED_ROW, 0.03));
                Process engine = startEngine(venue.baseUrl(), storeUrl, round);
                long before = store.detectedCount();
                await().atMost(Duration.ofSeconds(60)).until(() -> store.detectedCount() > before || !engine.isAlive());
                assertThat(engine.isAlive()).as("engine of round %d is running", round).isTrue();
                Duration life = Duration.ofMillis(200 + random.nextInt(MAX_LIFE_MS - 200));
                await().pollDelay(life).atMost(life.plusSeconds(1)).until(() -> true); // the random moment of the kill
                engine.destroyForcibly();
                assertKilled(engine);
            }
            assertThat(admin.stats().faults(FaultKind.HTTP_5XX)).as("500s answered").isGreaterThan(0);
            assertThat(admin.stats().faults(FaultKind.RATE_LIMIT_429)).as("429s answered").isGreaterThan(0);
            assertThat(admin.stats().faults(FaultKind.TIMEOUT_AFTER_ACCEPT)).as("answers lost").isGreaterThan(0);
            assertThat(admin.stats().faults(FaultKind.CONNECTION_RESET)).as("connections reset").isGreaterThan(0);
            long malformed = admin.stats().faults(FaultKind.MALFORMED_ROW);
            assertThat(malformed).as("rows spoiled").isGreaterThan(0);
            // 2. the target stops trading and the venue recovers; one last, graceful run catches up on everything
            admin.clearFaults();
            admin.setRate(TRADER, 0);
            long emitted = admin.stats().traders().get(TRADER).emitted();
            Process engine = startEngine(venue.baseUrl(), storeUrl, KILLS + 1);
            // the last killed engine may have caught up already, so the store's figures can hold at once: wait for
            // this one to be up before the graceful stop (a JVM signalled while it boots exits 143, not 0)
            awaitStarted("engine-" + (KILLS + 1));
            Duration catchUp = Duration.ofSeconds(120 + (long) KILLS * MAX_LIFE_MS / 1000);
            await().atMost(catchUp).pollInterval(Duration.ofMillis(200)).until(() ->
                    store.detectedCount() == emitted - malformed && store.inFlightCount() == 0
                            && store.ordersIn(EnumSet.of(io.copytrader.store.OrderRecordState.SUBMITTING,
                            io.copytrader.store.OrderRecordState.UNKNOWN, io.copytrader.store.OrderRecordState.OPEN,
                            io.copytrader.store.OrderRecordState.PARTIALLY_FILLED)).isEmpty());
            engine.destroy(); // SIGTERM: graceful
            assertThat(engine.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(engine.exitValue()).isZero();

            // 3. no order was ever sent twice: the venue refused no duplicate client order id
            assertThat(admin.stats().duplicateOrdersRejected()).isZero();
            // 4. every trade the venue emitted is accounted for exactly once
            List<String> unaccounted = new ArrayList<>();
            for (long seq = 1; seq <= emitted; seq++) {
                String key = TRADER + ":" + TRADER + "-" + seq;
                if (store.outcome(key).isEmpty()) {
                    unaccounted.add(key);
                }
            }
            // the spoiled rows, and only those, never became trades (refused, counted, logged)
            assertThat(unaccounted).as("trades without an outcome: the %d malformed rows", malformed).hasSize((int) malformed);
            Map<TradeOutcome, Long> outcomes = store.outcomeCounts();
            assertThat(outcomes.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(emitted - malformed);
            assertThat(outcomes.get(TradeOutcome.ABANDONED)).isZero();
            // every failed trade kept its dead letter
            var lettered = store.deadLetters().stream().map(d -> d.trade().key()).collect(java.util.stream.Collectors.toSet());
            for (long seq = 1; seq <= emitted; seq++) {
                String key = TRADER + ":" + TRADER + "-" + seq;
                if (store.outcome(key).orElse(null) == TradeOutcome.FAILED) {
                    assertThat(lettered).as("dead letter of failed trade %s", key).contains(key);
                }
            }
            // 5. and the venue accepted exactly the orders of the trades recorded copied
            List<String> acceptedNotCopied = new ArrayList<>();
            for (var o : store.ordersIn(EnumSet.allOf(io.copytrader.store.OrderRecordState.class))) {
                TradeOutcome outcome = store.outcome(o.tradeKey()).orElse(null);
                if (outcome != TradeOutcome.COPIED && o.state() != io.copytrader.store.OrderRecordState.FAILED
                        && o.state() != io.copytrader.store.OrderRecordState.REJECTED) {
                    acceptedNotCopied.add(o.tradeKey() + " " + o.state() + " " + outcome + " "
                            + store.deadLetters().stream().filter(d -> d.trade().key().equals(o.tradeKey()))
                            .map(d -> d.reason() + ": " + d.detail()).toList());
                }
            }
            assertThat(acceptedNotCopied).as("orders the venue took, for trades not recorded copied; outcomes " + outcomes)
                    .isEmpty();
            // one accepted order per copied trade that leads its order; the others (trades that waited behind their
            // instrument's order and joined the next, as the shipped settings do) were copied with a copied leader
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(storeUrl);
                 java.sql.Statement st = c.createStatement()) {
                long leaders = count(st, "SELECT COUNT(*) FROM trades WHERE outcome = 'COPIED' AND aggregate_of IS NULL");
                long followers = count(st, "SELECT COUNT(*) FROM trades WHERE outcome = 'COPIED' AND aggregate_of IS NOT NULL");
                long orphans = count(st, "SELECT COUNT(*) FROM trades f JOIN trades l ON f.aggregate_of = l.trade_key "
                        + "WHERE f.outcome = 'COPIED' AND (l.outcome IS NULL OR l.outcome <> 'COPIED')");
                assertThat(admin.stats().ordersAccepted()).as("%d copied with another's order", followers)
                        .isEqualTo(leaders);
                assertThat(orphans).as("copied trades whose order's trade was not copied").isZero();
                // no link leads to a trade that is itself linked (a chain or cycle would never be copied)
                assertThat(count(st, "SELECT COUNT(*) FROM trades f JOIN trades l ON f.aggregate_of = l.trade_key "
                        + "WHERE l.aggregate_of IS NOT NULL")).as("links to linked trades").isZero();
            }
            // 6. what the venue holds is exactly what the store says our orders filled, instrument by instrument
            Map<String, BigDecimal> filled = new java.util.TreeMap<>();
            for (var o : store.ordersIn(EnumSet.allOf(io.copytrader.store.OrderRecordState.class))) {
                if (o.filledQuantity() != null && o.filledQuantity().signum() > 0) {
                    BigDecimal signed = o.intent().side() == io.copytrader.domain.Side.BUY ? o.filledQuantity()
                            : o.filledQuantity().negate();
                    filled.merge(o.intent().instrument().value(), signed, BigDecimal::add);
                }
            }
            filled.values().removeIf(q -> q.signum() == 0);
            Map<String, BigDecimal> held = venuePositions(venue.baseUrl());
            assertThat(held.keySet()).as("instruments held").isEqualTo(filled.keySet());
            held.forEach((instrument, q) -> assertThat(q).as("held of %s", instrument)
                    .isEqualByComparingTo(filled.get(instrument)));
            System.out.printf("engine crash: %d kills at %.0f trades/s, %d emitted, %d malformed, outcomes %s, "
                    + "%d orders accepted, %d instruments held as filled%n", KILLS, RATE, emitted, malformed, outcomes,
                    admin.stats().ordersAccepted(), held.size());
        }
    }

    /** The venue's holdings of our account (non-zero ones), read as the engine reads them. */
    private static Map<String, BigDecimal> venuePositions(String venueUrl) throws Exception {
        var reply = new io.copytrader.venue.JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5))
                .execute(io.copytrader.venue.HttpCall.get(venueUrl + "/exchange/positions"));
        assertThat(reply.status()).isEqualTo(200);
        Map<String, BigDecimal> held = new java.util.TreeMap<>();
        for (var p : new com.fasterxml.jackson.databind.ObjectMapper().readTree(reply.body()).get("positions")) {
            BigDecimal q = new BigDecimal(p.get("quantity").asText());
            if (q.signum() != 0) {
                held.put(p.get("instrument").asText(), q);
            }
        }
        return held;
    }

    private static long count(java.sql.Statement st, String sql) throws java.sql.SQLException {
        try (java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Process startEngine(String venueUrl, String storeUrl, int round) throws IOException {
        // a resting order is canceled after 5 s (its fills so far kept): the catch-up ends with none open, so the
        // venue's positions can be checked against the store's fills
        return startEngine(venueUrl, storeUrl, "engine-" + round, Map.of("MAX_RESTING_MS", "5000"));
    }

    /** The engine as its own process (a plain `java ... CopyTraderCli`), copying alice 1:1; {@code env} adds to it. */
    static Process startEngine(String venueUrl, String storeUrl, String logName, Map<String, String> extraEnv)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), CopyTraderCli.class.getName());
        pb.directory(new File(System.getProperty("user.dir")));
        Map<String, String> env = pb.environment();
        env.put("PAPER_VENUE_URL", venueUrl);
        env.put("STORE_URL", storeUrl);
        env.put("TARGET_TRADERS", TRADER);
        env.put("MANAGEMENT_PORT", String.valueOf(freePort()));
        env.put("POLL_INTERVAL_MS", "100");
        env.put("MIN_TRADE_SIZE_USD", "0");
        env.put("MAX_POSITION_SIZE_USD", "100000000");
        env.put("MIN_ORDER_SIZE_USD", "0");
        env.put("COPY_RATIO", "1");
        env.put("TRADE_COOLDOWN_MS", "0");
        // the backlog a restart leaves (a kill, then a boot) is still copied, and meets the venue's faults
        env.put("MAX_TRADE_AGE_MS", "120000");
        env.put("EXCHANGE_RESPONSE_TIMEOUT_MS", "2000");
        env.put("UNKNOWN_ORDER_GRACE_MS", "1000");
        env.put("MONITOR_INTERVAL_MS", "200");
        env.putAll(extraEnv);
        pb.redirectErrorStream(true);
        Path logs = Path.of("target", "engine-crash-logs");
        Files.createDirectories(logs);
        pb.redirectOutput(logs.resolve(logName + ".log").toFile());
        return pb.start();
    }

    /** The engine ended as a kill -9 ends it. */
    static void assertKilled(Process engine) throws InterruptedException {
        assertThat(engine.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    }

    /**
     * Starts the engine again over the store a killed one left (the venue's faults cleared first), waits until no trade
     * is in flight, then stops it gracefully.
     */
    static void restartUntilNothingInFlight(PaperVenueAdmin admin, String venueUrl, String storeUrl, String logName,
                                            Map<String, String> env, TradeStore store) throws Exception {
        admin.clearFaults();
        Process again = startEngine(venueUrl, storeUrl, logName, env);
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> store.inFlightCount() == 0);
        } finally {
            again.destroy(); // SIGTERM: graceful
        }
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    /** Waits until the engine's log says its Camel context started (its SIGTERM handler is in place long before). */
    static void awaitStarted(String logName) {
        Path log = Path.of("target", "engine-crash-logs", logName + ".log");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> Files.readString(log).contains("(copytrader) started in"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

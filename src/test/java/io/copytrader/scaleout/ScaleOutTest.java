package io.copytrader.scaleout;

import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.QueueLag;
import io.copytrader.paper.FillModelSettings;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueAdmin;
import io.copytrader.paper.PaperVenueConfig;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.TestPostgres;
import io.copytrader.store.TradeStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several engines on one Kafka broker and one PostgreSQL store: three engine processes (the real main class, routes/
 * and application.properties, KAFKA_BROKERS set) copy five target traders of the paper venue at a steady rate; one is
 * killed with SIGKILL mid-run, another started, one stopped with SIGTERM. Afterwards every trade the venue emitted
 * has exactly one outcome, the venue never saw a client order id twice, each trader's orders per instrument were
 * placed in the trader's order, and nothing is left in flight.
 */
@Tag("scale-out")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ScaleOutTest {
    private static final List<String> TRADERS = List.of("t1", "t2", "t3", "t4", "t5");
    private static final double RATE_PER_TRADER = 2.0;
    private static final String TRADES_TOPIC = "copytrader-trades";
    private static final String TICKS_TOPIC = "copytrader-poll-ticks";
    private static final Path LOGS = Path.of("target", "scale-out-logs");

    @TempDir
    Path dir;

    @Test
    void shouldCopyEveryTradeOnceAcrossAKilledAStartedAndAStoppedEngine() throws Exception {
        String schema = TestPostgres.createSchema();
        Map<String, Double> rates = new LinkedHashMap<>();
        TRADERS.forEach(t -> rates.put(t, 0.0)); // quiet until the engines are up
        PaperVenueConfig config = PaperVenueConfig.builder().port(0).seed(15).traders(rates)
                .startingCash(new BigDecimal("100000000")).fillModel(FillModelSettings.DEFAULT).build();
        List<Process> engines = new ArrayList<>();
        try (KafkaBroker kafka = KafkaBroker.start(dir, Map.of(TRADES_TOPIC, 15, TICKS_TOPIC, 15));
             PaperVenue venue = PaperVenue.start(config);
             TradeStore store = StoreFactory.open(TestPostgres.settings(schema), Clock.systemUTC())) {
            PaperVenueAdmin admin = new PaperVenueAdmin(venue.baseUrl());

            // 1. three engines share the work of five traders trading steadily
            for (int i = 1; i <= 3; i++) {
                engines.add(startEngine(i, kafka, venue, schema));
            }
            awaitStarted(engines);
            TRADERS.forEach(t -> admin.setRate(t, RATE_PER_TRADER));
            awaitMoreCopied(store, 40, engines);

            // 2. one is killed mid-run (SIGKILL), another starts
            LagSampler lag = LagSampler.start(kafka);
            Instant killedAt = Instant.now();
            engines.get(0).destroyForcibly();
            assertThat(engines.get(0).waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(engines.get(0).exitValue()).as("killed by SIGKILL").isEqualTo(137);
            engines.add(startEngine(4, kafka, venue, schema));
            awaitStarted(engines.subList(3, 4));
            awaitMoreCopied(store, 40, engines.subList(1, 4));
            long maxLag = lag.stop();

            // 3. one is stopped gracefully (SIGTERM): it drains and leaves its work to the others
            engines.get(1).destroy();
            assertThat(engines.get(1).waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(engines.get(1).exitValue()).as("graceful stop").isZero();
            awaitMoreCopied(store, 30, engines.subList(2, 4));

            // 4. the traders stop; the two left catch up on everything
            TRADERS.forEach(t -> admin.setRate(t, 0));
            Map<String, Long> emitted = new HashMap<>();
            admin.stats().traders().forEach((t, s) -> emitted.put(t, s.emitted()));
            long total = emitted.values().stream().mapToLong(Long::longValue).sum();
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() ->
                    store.detectedCount() == total && store.inFlightCount() == 0
                            && store.ordersIn(EnumSet.of(OrderRecordState.SUBMITTING, OrderRecordState.UNKNOWN)).isEmpty());
            for (Process engine : engines.subList(2, 4)) {
                engine.destroy();
            }
            for (Process engine : engines.subList(2, 4)) {
                assertThat(engine.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(engine.exitValue()).isZero();
            }

            // 5. every emitted trade has exactly one outcome
            List<String> unaccounted = new ArrayList<>();
            emitted.forEach((trader, n) -> {
                for (long seq = 1; seq <= n; seq++) {
                    if (store.outcome(trader + ":" + trader + "-" + seq).isEmpty()) {
                        unaccounted.add(trader + "-" + seq);
                    }
                }
            });
            assertThat(unaccounted).as("trades without an outcome").isEmpty();
            Map<TradeOutcome, Long> outcomes = store.outcomeCounts();
            assertThat(outcomes.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(total);
            assertThat(outcomes.get(TradeOutcome.COPIED)).as("outcomes %s", outcomes).isPositive();

            // 6. the venue never saw a client order id twice, and took exactly the orders of the copied trades
            assertThat(admin.stats().duplicateOrdersRejected()).isZero();
            List<OrderRecord> orders = store.ordersIn(EnumSet.allOf(OrderRecordState.class));
            long accepted = orders.stream().filter(o -> o.state() != OrderRecordState.FAILED
                    && o.state() != OrderRecordState.REJECTED).count();
            assertThat(admin.stats().ordersAccepted()).isEqualTo(accepted);

            // 7. every order the venue accepted has exactly one COPIED trade (one order per trade, by its client order
            // id), and no trade is COPIED without one
            List<String> acceptedNotCopied = new ArrayList<>();
            orders.stream().filter(o -> o.state() != OrderRecordState.FAILED && o.state() != OrderRecordState.REJECTED)
                    .forEach(o -> {
                        Optional<TradeOutcome> outcome = store.outcome(o.tradeKey());
                        if (outcome.isEmpty() || outcome.get() != TradeOutcome.COPIED) {
                            acceptedNotCopied.add(o.tradeKey() + ": order " + o.state() + ", trade " + outcome);
                        }
                    });
            assertThat(acceptedNotCopied).as("trades whose order the venue accepted but that ended otherwise").isEmpty();
            assertThat(outcomes.get(TradeOutcome.COPIED)).as("COPIED trades").isEqualTo(accepted);

            // 8. per trader and instrument, orders were written to the outbox (just before sending) in feed order
            Map<String, List<OrderRecord>> byKey = new HashMap<>();
            orders.forEach(o -> byKey.computeIfAbsent(o.intent().source().trader().value() + "/"
                    + o.intent().instrument().value(), k -> new ArrayList<>()).add(o));
            List<String> reordered = new ArrayList<>();
            byKey.forEach((key, list) -> {
                list.sort(Comparator.comparing(OrderRecord::createdAt));
                for (int i = 1; i < list.size(); i++) {
                    if (seq(list.get(i)) < seq(list.get(i - 1))) {
                        reordered.add(key + ": " + seq(list.get(i - 1)) + " before " + seq(list.get(i)));
                    }
                }
            });
            assertThat(reordered).as("orders placed out of their trader's order").isEmpty();
            System.out.printf("scale-out: %d trades emitted by %d traders, outcomes %s, %d orders accepted; after the "
                    + "SIGKILL: longest pause in any trader's detection %d ms, copy queue lag at most %d%n", total,
                    TRADERS.size(), outcomes, admin.stats().ordersAccepted(), longestDetectionPause(schema, killedAt),
                    maxLag);
        } finally {
            engines.forEach(Process::destroyForcibly);
            TestPostgres.dropSchema(schema);
        }
    }

    /**
     * Takeover time of detection: the longest gap between two admissions of one trader in the minute after the kill
     * (the killed engine's traders wait for the group to move their partitions).
     */
    private static long longestDetectionPause(String schema, Instant from) throws Exception {
        long longest = 0;
        try (Connection c = TestPostgres.connect(schema);
             PreparedStatement ps = c.prepareStatement("SELECT trader, detected_at FROM trades WHERE detected_at > ? "
                     + "AND detected_at < ? ORDER BY trader, detected_at")) {
            ps.setString(1, from.toString());
            ps.setString(2, from.plusSeconds(60).toString());
            Map<String, Instant> last = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Instant at = Instant.parse(rs.getString(2));
                    Instant previous = last.put(rs.getString(1), at);
                    longest = Math.max(longest, Duration.between(previous == null ? from : previous, at).toMillis());
                }
            }
        }
        return longest;
    }

    /** Samples the copy queue's consumer lag every 200 ms; returns the largest. */
    private static final class LagSampler {
        private final QueueLag lag;
        private final ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lag-sampler");
            t.setDaemon(true);
            return t;
        });
        private volatile long max;

        private LagSampler(KafkaBroker kafka) {
            this.lag = new QueueLag(kafka.bootstrap(), TRADES_TOPIC, "copytrader");
        }

        static LagSampler start(KafkaBroker kafka) {
            LagSampler s = new LagSampler(kafka);
            // one sample every 200 ms, the sampling period of the lag figure
            s.every.scheduleWithFixedDelay(() -> s.max = Math.max(s.max, s.lag.lag()), 0, 200, TimeUnit.MILLISECONDS);
            return s;
        }

        long stop() throws InterruptedException {
            every.shutdown();
            every.awaitTermination(30, TimeUnit.SECONDS);
            lag.close();
            return max;
        }
    }

    private static long seq(OrderRecord o) {
        String id = o.intent().source().sourceTradeId().value();
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    /** Waits until {@code n} more trades are copied (or otherwise ended), checking the engines stay up. */
    private static void awaitMoreCopied(TradeStore store, int n, List<Process> running) {
        long before = store.outcomeCounts().values().stream().mapToLong(Long::longValue).sum();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).until(() -> {
            running.forEach(p -> assertThat(p.isAlive()).as("engine running").isTrue());
            return store.outcomeCounts().values().stream().mapToLong(Long::longValue).sum() >= before + n;
        });
    }

    private static Process startEngine(int n, KafkaBroker kafka, PaperVenue venue, String schema) throws IOException {
        Map<String, String> env = EngineProcesses.sharedEnvironment(kafka, venue.baseUrl(), schema, TRADERS);
        env.put("POLL_INTERVAL_MS", "100");
        env.put("MAX_TRADE_AGE_MS", "60000");
        env.put("EXCHANGE_RESPONSE_TIMEOUT_MS", "5000");
        env.put("EXCHANGE_MAX_RETRIES", "1");
        env.put("UNKNOWN_ORDER_GRACE_MS", "1000");
        env.put("MONITOR_INTERVAL_MS", "200");
        env.put("CLAIM_LEASE_MS", "3000");
        return EngineProcesses.start("engine-" + n, List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                env, LOGS);
    }

    private static void awaitStarted(List<Process> engines) {
        EngineProcesses.awaitStarted(engines, LOGS);
    }
}

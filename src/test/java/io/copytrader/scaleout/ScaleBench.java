package io.copytrader.scaleout;

import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.QueueLag;
import io.copytrader.paper.FillModelSettings;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueAdmin;
import io.copytrader.paper.PaperVenueConfig;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.TestPostgres;
import io.copytrader.store.TradeStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Throughput and CPU per copied trade for 1, 2 and 3 engine processes on one Kafka broker, one PostgreSQL and the
 * paper venue (in this JVM), one run per count. Not in the default run (tag {@code bench}); needs PostgreSQL
 * ({@code source .ci/setup.d/10-postgresql.sh}):
 * <pre>
 * mvn -o test -Dtest=ScaleBench -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dscale.rate=300 -Dscale.warmup=20 -Dscale.duration=30 -Dscale.engines=1,2,3
 * </pre>
 * Five target traders emit open-loop at {@code scale.rate} trades/s in all; after {@code scale.warmup} s the
 * engines' copied trades and CPU are counted for {@code scale.duration} s. All processes share the machine's cores,
 * so more engines add consumers, not cores. Each count prints one machine-readable line (in the test's output file,
 * {@code target/surefire-reports/io.copytrader.scaleout.ScaleBench-output.txt}):
 * {@code bench-scale: engines= offered=/s emitted=/s detected=/s throughput=/s copied= window_s=
 * engine_cpu_ms_per_trade= broker_cpu_ms_per_trade= machine_busy= lag_end= load1_start= load1_end= cores=}.
 * {@code throughput} counts only COPIED trades (sells of what is not held are skipped); {@code emitted} is what the
 * venue's traders produced, {@code detected} what the engines admitted (below emitted: detection did not keep up);
 * {@code machine_busy} is the share of all cores busy in the window (anything else running on the machine
 * included); {@code lag_end} the copy queue's consumer lag at the end (growing: copying did not keep up).
 */
@Tag("bench")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class ScaleBench {
    private static final List<String> TRADERS = List.of("t1", "t2", "t3", "t4", "t5");
    private static final Path LOGS = Path.of("target", "bench-scale-logs");
    private static final int PARTITIONS = 15;

    @TempDir
    Path dir;

    @Test
    void shouldMeasureThroughputAndCpuPerTradeForEachEngineCount() throws Exception {
        double rate = Double.parseDouble(System.getProperty("scale.rate", "300"));
        Duration warmup = Duration.ofSeconds(Long.getLong("scale.warmup", 20));
        Duration window = Duration.ofSeconds(Long.getLong("scale.duration", 30));
        int[] counts = Arrays.stream(System.getProperty("scale.engines", "1,2,3").split(","))
                .mapToInt(c -> Integer.parseInt(c.trim())).toArray();
        TestPostgres.requireUrl();
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (int n : counts) {
            topics.put(tradesTopic(n), PARTITIONS);
            topics.put(ticksTopic(n), PARTITIONS);
        }
        List<String> lines = new ArrayList<>();
        try (KafkaBroker kafka = KafkaBroker.start(dir, topics)) {
            for (int n : counts) {
                String line = measure(kafka, n, rate, warmup, window);
                System.out.println(line);
                lines.add(line);
            }
        }
        lines.forEach(System.out::println); // together at the end, for copying
        assertThat(lines).hasSize(counts.length);
    }

    /** One run: {@code n} engines copy the five traders; counts what they copied and the CPU they used. */
    private String measure(KafkaBroker kafka, int n, double rate, Duration warmup, Duration window) throws Exception {
        String schema = TestPostgres.createSchema();
        Map<String, Double> quiet = new LinkedHashMap<>();
        TRADERS.forEach(t -> quiet.put(t, 0.0));
        PaperVenueConfig config = PaperVenueConfig.builder().port(0).seed(15).traders(quiet)
                .startingCash(new BigDecimal("1000000000000")).fillModel(FillModelSettings.alwaysImmediate()).build();
        List<Process> engines = new ArrayList<>();
        try (PaperVenue venue = PaperVenue.start(config);
             TradeStore store = StoreFactory.open(TestPostgres.settings(schema), Clock.systemUTC());
             QueueLag lag = new QueueLag(kafka.bootstrap(), tradesTopic(n), group(n))) {
            try {
                return run(kafka, n, rate, warmup, window, venue, store, lag, schema, engines);
            } finally {
                EngineProcesses.stop(engines); // before the venue and the store close under them
            }
        } finally {
            TestPostgres.dropSchema(schema);
        }
    }

    /** Starts the engines (into {@code engines}, which the caller stops), offers the rate, measures the window. */
    private String run(KafkaBroker kafka, int n, double rate, Duration warmup, Duration window, PaperVenue venue,
                       TradeStore store, QueueLag lag, String schema, List<Process> engines) throws Exception {
        PaperVenueAdmin admin = new PaperVenueAdmin(venue.baseUrl());
        for (int i = 1; i <= n; i++) {
            engines.add(startEngine(n, i, kafka, venue, schema));
        }
        EngineProcesses.awaitStarted(engines, LOGS);
        TRADERS.forEach(t -> admin.setRate(t, rate / TRADERS.size()));

        // warm-up, then the measured window; each span is a fixed time, sampled every 250 ms
        elapse(warmup, engines);
        double load1Start = load1();
        long copiedStart = copied(store);
        long detectedStart = store.detectedCount();
        long emittedStart = admin.stats().tradesEmitted();
        long engineCpuStart = EngineProcesses.cpuNanos(engines);
        long brokerCpuStart = kafka.cpuNanos();
        long[] machineStart = machineJiffies();
        long start = System.nanoTime();
        elapse(window, engines);
        long copied = copied(store) - copiedStart;
        long detected = store.detectedCount() - detectedStart;
        long emitted = admin.stats().tradesEmitted() - emittedStart;
        double seconds = (System.nanoTime() - start) / 1e9;
        long engineCpu = EngineProcesses.cpuNanos(engines) - engineCpuStart;
        long brokerCpu = kafka.cpuNanos() - brokerCpuStart;
        long[] machineEnd = machineJiffies();
        double busy = (double) (machineEnd[0] - machineStart[0]) / Math.max(1, machineEnd[1] - machineStart[1]);
        long lagEnd = lag.lag();
        double load1End = load1();
        TRADERS.forEach(t -> admin.setRate(t, 0));
        double perTrade = Math.max(1, copied) * 1e6;
        return String.format(Locale.ROOT, "bench-scale: engines=%d offered=%.0f/s emitted=%.1f/s detected=%.1f/s "
                        + "throughput=%.1f/s copied=%d window_s=%.1f engine_cpu_ms_per_trade=%.2f "
                        + "broker_cpu_ms_per_trade=%.2f machine_busy=%.2f lag_end=%d load1_start=%.2f load1_end=%.2f "
                        + "cores=%d", n, rate, emitted / seconds, detected / seconds, copied / seconds, copied, seconds,
                engineCpu / perTrade, brokerCpu / perTrade, busy, lagEnd, load1Start, load1End,
                Runtime.getRuntime().availableProcessors());
    }

    private static Process startEngine(int n, int i, KafkaBroker kafka, PaperVenue venue, String schema)
            throws IOException {
        Map<String, String> env = EngineProcesses.sharedEnvironment(kafka, venue.baseUrl(), schema, TRADERS);
        env.put("KAFKA_GROUP", group(n));
        env.put("KAFKA_TRADES_TOPIC", tradesTopic(n));
        env.put("KAFKA_TICKS_TOPIC", ticksTopic(n));
        env.put("POLL_INTERVAL_MS", "100");
        env.put("FEED_PAGE_SIZE", "1000");
        env.put("MAX_TRADE_AGE_MS", "600000"); // nothing dropped for its age during a run
        return EngineProcesses.start("bench-" + n + "-engine-" + i, List.of("-Xmx512m"), env, LOGS);
    }

    /** Lets {@code span} pass, checking every 250 ms that the engines stay up. */
    private static void elapse(Duration span, List<Process> engines) {
        long end = System.nanoTime() + span.toNanos();
        await().atMost(span.plusSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            engines.forEach(p -> assertThat(p.isAlive()).as("engine running").isTrue());
            return System.nanoTime() >= end;
        });
    }

    private static long copied(TradeStore store) {
        return store.outcomeCounts().getOrDefault(TradeOutcome.COPIED, 0L);
    }

    /** Busy and total jiffies of all cores since boot (/proc/stat; busy excludes idle and iowait). */
    private static long[] machineJiffies() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
    }

    private static double load1() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    }

    private static String group(int n) {
        return "bench-" + n;
    }

    private static String tradesTopic(int n) {
        return "bench-trades-" + n;
    }

    private static String ticksTopic(int n) {
        return "bench-ticks-" + n;
    }
}

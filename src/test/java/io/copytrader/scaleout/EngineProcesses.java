package io.copytrader.scaleout;

import io.copytrader.CopyTraderCli;
import io.copytrader.store.TestPostgres;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Engine processes for the scale-out runs: the real main class on this classpath (routes/ and
 * application.properties, as {@code run} starts it), one of many through the environment: one Kafka broker, one
 * PostgreSQL schema, one paper venue. Each writes its log to {@code <logs>/<name>.log}, linked as
 * {@code engine-<pid>.log}.
 */
final class EngineProcesses {
    private EngineProcesses() {
    }

    /**
     * What every engine of a run shares: the broker, the store, the venue and its traders, and sizing open enough
     * that every trade the planner can copy is copied (no minimum size, no position or exposure cap, no cooldown).
     */
    static Map<String, String> sharedEnvironment(KafkaBroker kafka, String venueUrl, String schema,
                                                 List<String> traders) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BROKERS", kafka.bootstrap());
        env.put("STORE_URL", TestPostgres.schemaUrl(schema));
        env.put("STORE_USER", TestPostgres.user() == null ? "" : TestPostgres.user());
        env.put("STORE_PASSWORD", TestPostgres.password() == null ? "" : TestPostgres.password());
        env.put("PAPER_VENUE_URL", venueUrl);
        env.put("TARGET_TRADERS", String.join(",", traders));
        env.put("MIN_TRADE_SIZE_USD", "0");
        env.put("MAX_POSITION_SIZE_USD", "100000000");
        env.put("MAX_PORTFOLIO_EXPOSURE", "1");
        env.put("MIN_ORDER_SIZE_USD", "0");
        env.put("COPY_RATIO", "1");
        env.put("TRADE_COOLDOWN_MS", "0");
        return env;
    }

    /** Starts one engine named {@code name} (its INSTANCE_ID) with its own management port. */
    static Process start(String name, List<String> jvmOptions, Map<String, String> environment, Path logs)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CopyTraderCli.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(new File(System.getProperty("user.dir")));
        Map<String, String> env = pb.environment();
        env.putAll(environment);
        env.put("INSTANCE_ID", name);
        env.put("MANAGEMENT_PORT", String.valueOf(KafkaBroker.freePort()));
        pb.redirectErrorStream(true);
        Files.createDirectories(logs);
        Path log = logs.resolve(name + ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            // by pid: an earlier run's link (or a killed engine's whose pid the system gave out again) is replaced
            Path byPid = logs.resolve("engine-" + p.pid() + ".log");
            Files.deleteIfExists(byPid);
            Files.createSymbolicLink(byPid, log.getFileName());
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly(); // never left running behind a test that failed to start it
            throw e;
        }
        return p;
    }

    /** Waits until each engine's log says Camel started (a loaded machine takes its time). */
    static void awaitStarted(List<Process> engines, Path logs) {
        await().atMost(Duration.ofSeconds(360)).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (Process p : engines) {
                assertThat(p.isAlive()).as("engine running").isTrue();
                String log = Files.readString(logs.resolve("engine-" + p.pid() + ".log"));
                if (!log.contains("(copytrader) started in")) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Stops engines with SIGTERM (all at once, then waits), killing any still up after a minute. */
    static void stop(List<Process> engines) throws InterruptedException {
        engines.forEach(Process::destroy);
        for (Process p : engines) {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** CPU time the processes used so far (user and system), in nanoseconds; 0 for one the OS does not report. */
    static long cpuNanos(List<Process> processes) {
        return processes.stream().mapToLong(p -> p.toHandle().info().totalCpuDuration().map(Duration::toNanos)
                .orElse(0L)).sum();
    }
}

package io.copytrader.cli;

import io.copytrader.CopyTraderCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bad setting stops startup before anything starts, with one line naming the variable, the value and what is
 * allowed. The bad values run in one child JVM (the check users get, case after case); a few run as the engine
 * itself, in their own process, for the exit code and the whole output.
 */
@Timeout(120)
class ConfigValidationTest {
    @TempDir
    static Path dir;

    /** Case (environment) -> the variable its error must name, and the value shown. */
    static final Map<String, String[]> BAD = new LinkedHashMap<>();

    @BeforeAll
    static void cases() throws Exception {
        Path notADatabase = dir.resolve("notes.db");
        Files.writeString(notADatabase, "these are my notes, not a database\n".repeat(200));
        Path aDirectory = Files.createDirectories(dir.resolve("a-directory"));
        bad("PAPER_VENUE_URL=not-a-url", "PAPER_VENUE_URL", "not-a-url");
        bad("PAPER_VENUE_URL=ftp://127.0.0.1:21/venue", "PAPER_VENUE_URL", "ftp://127.0.0.1:21/venue");
        bad("PAPER_VENUE_URL=http://", "PAPER_VENUE_URL", "http://");
        bad("PAPER_VENUE_URL=http://127.0.0.1:99999", "PAPER_VENUE_URL", "99999");
        bad("PAPER_VENUE_URL=http://user:pw@127.0.0.1:8090", "PAPER_VENUE_URL", "127.0.0.1");
        bad("PAPER_VENUE_URL=", "PAPER_VENUE_URL", "''");
        bad("CIRCUIT_BREAKER_COOLDOWN_MINUTES=1e-9", "CIRCUIT_BREAKER_COOLDOWN_MINUTES", "1e-9");
        bad("CIRCUIT_BREAKER_COOLDOWN_MINUTES=0", "CIRCUIT_BREAKER_COOLDOWN_MINUTES", "0");
        bad("CIRCUIT_BREAKER_COOLDOWN_MINUTES=NaN", "CIRCUIT_BREAKER_COOLDOWN_MINUTES", "NaN");
        bad("CIRCUIT_BREAKER_COOLDOWN_MINUTES=1441", "CIRCUIT_BREAKER_COOLDOWN_MINUTES", "1441");
        bad("MANAGEMENT_PORT=70000", "MANAGEMENT_PORT", "70000");
        bad("MANAGEMENT_PORT=-1", "MANAGEMENT_PORT", "-1");
        bad("MANAGEMENT_PORT=http", "MANAGEMENT_PORT", "http");
        bad("MANAGEMENT_HOST=not a host", "MANAGEMENT_HOST", "not a host");
        bad("MANAGEMENT_HOST=256.1.1.1.1:80", "MANAGEMENT_HOST", "256.1.1.1.1:80");
        bad("MANAGEMENT_HOST=", "MANAGEMENT_HOST", "''");
        bad("STORE_URL=jdbc:sqlite:" + notADatabase, "STORE_URL", notADatabase.toString());
        bad("STORE_URL=jdbc:sqlite:" + aDirectory, "STORE_URL", aDirectory.toString());
        bad("STORE_URL=jdbc:postgresql://127.0.0.1:1/copytrader", "STORE_URL", "127.0.0.1:1");
        bad("STORE_URL=jdbc:mysql://127.0.0.1/copytrader", "STORE_URL", "jdbc:mysql");
        bad("STORE_URL=jdbc:sqlite::memory:", "STORE_URL", ":memory:");
        bad("STORE_URL=", "STORE_URL", "''");
        bad("STORE_SQLITE_SYNC=OFF", "STORE_SQLITE_SYNC", "OFF");
        bad("MAX_IN_FLIGHT_ORDERS=0", "MAX_IN_FLIGHT_ORDERS", "0");
        bad("MAX_IN_FLIGHT_ORDERS=201", "MAX_IN_FLIGHT_ORDERS", "201");
        bad("COPY_RATIO=", "COPY_RATIO", "''");
        bad("COPY_RATIO=0", "COPY_RATIO", "0");
        bad("COPY_RATIO=1%", "COPY_RATIO", "1%");
        bad("TARGET_TRADERS=", "TARGET_TRADERS", "''");
        bad("TARGET_TRADERS=../admin/faults", "TARGET_TRADERS", "../admin/faults");
        bad("TARGET_TRADERS=alice,bob smith", "TARGET_TRADERS", "bob smith");
        bad("TARGET_TRADERS=alice?x=1", "TARGET_TRADERS", "alice?x=1");
        bad("TARGET_TRADERS= , ,", "TARGET_TRADERS", "empty");
        bad("VENUE=", "VENUE", "''");
        bad("VENUE=binance", "VENUE", "binance");
        bad("MAX_PORTFOLIO_EXPOSURE=1.5", "MAX_PORTFOLIO_EXPOSURE", "1.5");
        bad("MAX_POSITION_SIZE_USD=-10", "MAX_POSITION_SIZE_USD", "-10");
        bad("MIN_TRADE_SIZE_USD=cheap", "MIN_TRADE_SIZE_USD", "cheap");
        bad("TRADE_COOLDOWN_MS=10.5", "TRADE_COOLDOWN_MS", "10.5");
        bad("MAX_CONSECUTIVE_FAILURES=0", "MAX_CONSECUTIVE_FAILURES", "0");
        bad("QUEUE_SIZE=0", "QUEUE_SIZE", "0");
        bad("CONCURRENT_TRADES=many", "CONCURRENT_TRADES", "many");
        bad("EXCHANGE_MAX_RETRIES=-1", "EXCHANGE_MAX_RETRIES", "-1");
        bad("EXCHANGE_CONNECT_TIMEOUT_MS=0", "EXCHANGE_CONNECT_TIMEOUT_MS", "0");
        bad("EXCHANGE_MAX_RETRY_AFTER_MS=1e4", "EXCHANGE_MAX_RETRY_AFTER_MS", "1e4");
        bad("POLL_INTERVAL_MS=0", "POLL_INTERVAL_MS", "0");
        bad("FEED_PAGE_SIZE=100000", "FEED_PAGE_SIZE", "100000");
        bad("FEED_MAX_PAGES_PER_POLL=0", "FEED_MAX_PAGES_PER_POLL", "0");
        bad("FEED_MAX_PAGES_PER_POLL=101", "FEED_MAX_PAGES_PER_POLL", "101");
        bad("FEED_MAX_PAGES_PER_POLL=ten", "FEED_MAX_PAGES_PER_POLL", "ten");
        bad("MAX_TRADE_AGE_MS=", "MAX_TRADE_AGE_MS", "''");
        bad("SHUTDOWN_TIMEOUT_SECONDS=0", "SHUTDOWN_TIMEOUT_SECONDS", "0");
        bad("UNKNOWN_ORDER_GRACE_MS=-5", "UNKNOWN_ORDER_GRACE_MS", "-5");
        bad("PAPER_STARTING_CASH=-1", "PAPER_STARTING_CASH", "-1");
        bad("PAPER_SEED=seed", "PAPER_SEED", "seed");
        bad("ROUTES_RELOAD=maybe", "ROUTES_RELOAD", "maybe");
        bad("QUANTITY_SCALE=19", "QUANTITY_SCALE", "19");
        bad("AGGREGATION_WINDOW_MS=-1", "AGGREGATION_WINDOW_MS", "-1");
        // read by the engine at its start beside the settings above; the check did not read them before
        bad("SELL_SIZING=half", "SELL_SIZING", "half");
        bad("SELL_BELOW_MINIMUM=some", "SELL_BELOW_MINIMUM", "some");
        bad("DETECTION=sideways", "DETECTION", "sideways");
        bad("DETECTION=chain}}", "copytrader.detection", "could not be read");
        // the health checks' settings: the check did not read them before (the engine refused them at its start)
        bad("HEALTH_FEED_FAILURES=0", "HEALTH_FEED_FAILURES", "0");
        bad("HEALTH_FEED_FAILURES=ten", "HEALTH_FEED_FAILURES", "ten");
        bad("HEALTH_DETECTION_STALL_MS=5s", "HEALTH_DETECTION_STALL_MS", "5s");
        bad("MANAGEMENT_IDLE_TIMEOUT_S=0", "MANAGEMENT_IDLE_TIMEOUT_S", "0");
        bad("MANAGEMENT_MAX_CONNECTIONS=0", "MANAGEMENT_MAX_CONNECTIONS", "0");
    }

    private static void bad(String env, String variable, String shown) {
        BAD.put(env, new String[] {variable, shown});
    }

    @Test
    void shouldRefuseEveryBadValueWithOneLineNamingTheVariableAndTheValue() throws Exception {
        List<String> cases = new ArrayList<>(BAD.keySet());
        cases.add("COPY_RATIO=0.5"); // and a good one passes
        cases.add("CIRCUIT_BREAKER_COOLDOWN_MINUTES=0.0001;MANAGEMENT_PORT=0;MANAGEMENT_HOST=::1;TARGET_TRADERS=alice,"
                + "0x56687bf447db6ffa42ffe2204a05edaa20f55839");
        Result r = launch(ConfigCheckBatch.class.getName(), cases.toArray(String[]::new), Map.of());
        assertThat(r.exit).as(r.output).isZero();
        List<String> lines = r.output.lines().filter(l -> l.startsWith("CASE ")).map(l -> l.substring(5)).toList();
        assertThat(lines).as(r.output).hasSize(cases.size());
        for (int i = 0; i < BAD.size(); i++) {
            String[] expected = BAD.get(cases.get(i));
            assertThat(lines.get(i)).as(cases.get(i)).startsWith(expected[0] + " ").contains(expected[1])
                    .doesNotContain("Exception");
        }
        assertThat(lines.subList(BAD.size(), cases.size())).containsOnly("OK");
    }

    @Test
    void shouldExitWithCode2AndOneLineAndNoStackTraceWhenStartedWithABadValue() throws Exception {
        Path notADatabase = dir.resolve("notes.db");
        for (Map.Entry<String, String> bad : Map.of(
                "MANAGEMENT_PORT", "70000",
                "PAPER_VENUE_URL", "http://",
                "COPY_RATIO", "",
                "STORE_URL", "jdbc:sqlite:" + notADatabase).entrySet()) {
            Result r = launch(CopyTraderCli.class.getName(), new String[0], Map.of(bad.getKey(), bad.getValue()));
            assertThat(r.exit).as(r.output).isEqualTo(2);
            assertThat(r.output.lines().toList()).as(r.output).hasSize(1);
            assertThat(r.output).startsWith("copytrader: " + bad.getKey() + " ").doesNotContain("\tat ");
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result launch(String mainClass, String[] args, Map<String, String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp",
                System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(new File(System.getProperty("user.dir")));
        pb.environment().put("STORE_URL", "memory");
        pb.environment().put("MANAGEMENT_PORT", "0");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(100, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}

package io.copytrader.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the bench from rotting: a short fixed-rate run (venue process, real engine, ceiling, one step) in the default
 * test run. Asserts the shape of the machine-readable line and that trades were copied; the figures themselves are
 * the bench's business, not a test's.
 */
class BenchSmokeTest {
    private static final String LINE = "bench: rate=\\d+/s throughput=\\d+/s p50_ms=[0-9.]+ p99_ms=[0-9.]+ "
            + "p999_ms=[0-9.]+ max_ms=[0-9.]+ ceiling=\\d+/s ratio=[0-9.]+ lean_ceiling=\\d+/s lean_ratio=[0-9.]+ "
            + "rtt50_ratio=[0-9.]+ overflows=\\d+ heap_mb=\\d+ floor_us=\\d+ cpu_us=\\d+";

    @Test
    @Timeout(150)
    void shouldRunAShortBenchAndPrintTheResultLine(@TempDir Path profiles) throws Exception {
        // 1. a 3 s run at 50 trades/s after 1 s of warm-up, no venue latency, no cooldown; then the same rate with
        //    the venue adding 0 and 50 ms; each step sampled by the profiler
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        String prefix = profiles.resolve("step").toString();
        Bench.Result result = new Bench(new Bench.Options(50.0, 3, 1, 0, 0, 50, List.of(0L, 50L), null, null, prefix),
                new PrintStream(report, true, StandardCharsets.UTF_8)).run();

        // 2. the last line has the documented shape, and the engine copied trades
        assertThat(result.line()).matches(LINE);
        assertThat(result.reported().throughput()).isPositive();
        assertThat(result.ceiling()).isPositive();
        assertThat(result.leanCeiling()).isPositive();
        assertThat(report.toString(StandardCharsets.UTF_8)).contains("bench: step rate=50/s")
                // copied trades, and how many of them were copied by the order of a trade they waited behind
                .containsPattern("bench: step rate=50/s offered=\\S+ copied=\\S+ .* overflows=\\d+ joined=\\d+ latency_ms")
                // the step's CPU by stage: the placing and the detecting threads did work
                .containsPattern("bench: step rate=50/s cpu_us/trade by thread: .*dispatch=[1-9]")
                .containsPattern("by thread: .*detect=[1-9]")
                // each copied trade allocates something on the placing threads; the sum comes first
                .containsPattern("bench: step rate=50/s alloc_kb/trade by thread: total=[1-9][0-9.]* .*dispatch=[0-9.]*[1-9]"
                        + ".* \\(collections=\\d+\\)")
                // the step's copied trades cut into the shipped routes' stages (one detected before the step began is not)
                .containsPattern("bench: step rate=50/s stages_us p50/p99 \\(n=[1-9]\\d*, \\d+ not cut\\): admit=\\d+/\\d+ "
                        + "aggregate=.* outbox=[1-9]\\d*/\\d+ prepare=.* venue=[1-9]\\d*/\\d+ answer=")
                .containsPattern("bench: step rate=50/s trades over [0-9.]+ ms: \\d+ \\([0-9.]+ %\\); the stage furthest");

        // 3. the floor: the store's writes (the bench's store is SQLite), a hand-off and the ceiling's POST, all
        //    measured, and their sum in the last line
        assertThat(result.floor().store()).isPositive();
        assertThat(result.floor().handoff()).isPositive();
        assertThat(result.floor().post()).isPositive();
        assertThat(report.toString(StandardCharsets.UTF_8))
                .containsPattern("bench: floor cpu_us/trade store=[1-9]\\d* \\(3 writes, 5 threads, admissions in pages "
                        + "of 10, FULL\\) post=[1-9]\\d* \\(the ceiling's\\) handoffs=3x[0-9.]+ sum=[1-9]")
                .containsPattern("the reported step's engine CPU per copied trade, \\d+ us, is [0-9.]+ times the floor");

        // 4. the sweep measured both latencies; at 50/s even the 50 ms venue keeps the rate (5 consumers allow 100/s)
        assertThat(result.sweep()).extracting(Bench.SweepPoint::venueLatencyMs).containsExactly(0L, 50L);
        assertThat(result.sweep().get(1).step().throughput()).isPositive();
        assertThat(report.toString(StandardCharsets.UTF_8)).contains("bench: latency sweep at 50/s offered: 0 ms");

        // 5. the profile: each of the three steps printed its CPU by kind and wrote its stacks; where async-profiler cannot sample (another platform, perf events and timers refused), each
        //    step says so and the bench went on
        String text = report.toString(StandardCharsets.UTF_8);
        if (text.contains("bench: profile: none")) {
            assertThat(text).containsPattern("bench: profile: none: async-profiler does not");
            return;
        }
        assertThat(text).containsPattern("bench: step rate=50/s cpu_us/trade by kind \\(async-profiler, [1-9]\\d* samples, "
                + "one every 5 ms of CPU; stacks in \\S+step-1-50.collapsed\\): store=[1-9]\\d* \\(\\d+ %\\) http=\\d+ .* "
                + "routing=\\d+ .* bench=\\d+ \\(\\d+ %\\) other=\\d+ \\(\\d+ %\\)");
        for (int step = 1; step <= 3; step++) {
            Path stacks = profiles.resolve("step-" + step + "-50.collapsed");
            assertThat(Files.readString(stacks)).containsPattern("(?m)^\\[.* tid=\\d+\\];.* \\d+$");
        }
    }
}

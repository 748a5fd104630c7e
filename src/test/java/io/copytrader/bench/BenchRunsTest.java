package io.copytrader.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench --runs}: the child's command, the medians and ranges of the runs' lines, a run that fails. */
class BenchRunsTest {

    private static final String RUN_1 = "bench: rate=100/s throughput=100/s p50_ms=2.517 p99_ms=10.695 ratio=0.02 "
            + "rtt50_ratio=na heap_mb=30 floor_us=393 cpu_us=2776";
    private static final String RUN_2 = "bench: rate=100/s throughput=99/s p50_ms=2.513 p99_ms=7.707 ratio=0.02 "
            + "rtt50_ratio=0.98 heap_mb=29 floor_us=376 cpu_us=2619";
    private static final String RUN_3 = "bench: rate=100/s throughput=100/s p50_ms=2.969 p99_ms=8.983 ratio=0.01 "
            + "rtt50_ratio=1.00 heap_mb=29 floor_us=369 cpu_us=3157";

    @Test
    void shouldGiveTheMediansAsTheRunsPrintThemAndTheRangesOfTheGoalsFigures() {
        assertThat(BenchRuns.summary(List.of(RUN_1, RUN_2, RUN_3))).isEqualTo("bench: runs=3 rate=100/s "
                + "throughput=100/s p50_ms=2.517 p99_ms=8.983 ratio=0.02 rtt50_ratio=na heap_mb=29 floor_us=376 "
                + "cpu_us=2776 rate_range=100/s-100/s throughput_range=99/s-100/s p99_ms_range=7.707-10.695 "
                + "ratio_range=0.01-0.02 cpu_us_range=2619-3157");
    }

    @Test
    void shouldTakeTheMeanOfTheTwoMiddleRunsForAnEvenCount() {
        assertThat(BenchRuns.summary(List.of(RUN_2, RUN_3))).isEqualTo("bench: runs=2 rate=100/s throughput=100/s "
                + "p50_ms=2.741 p99_ms=8.345 ratio=0.02 rtt50_ratio=0.99 heap_mb=29 floor_us=373 cpu_us=2888 "
                + "rate_range=100/s-100/s throughput_range=99/s-100/s p99_ms_range=7.707-8.983 ratio_range=0.01-0.02 "
                + "rtt50_ratio_range=0.98-1.00 cpu_us_range=2619-3157");
        assertThat(BenchRuns.summary(List.of(RUN_1))).startsWith("bench: runs=1 rate=100/s throughput=100/s "
                + "p50_ms=2.517 p99_ms=10.695");
    }

    @Test
    void shouldSayNaForAFieldOneRunLacks() {
        String older = "bench: rate=100/s throughput=100/s p50_ms=2.1 p99_ms=6.0";
        assertThat(BenchRuns.summary(List.of(older, "bench: rate=100/s throughput=98/s p50_ms=2.3 p99_ms=x")))
                .isEqualTo("bench: runs=2 rate=100/s throughput=99/s p50_ms=2.2 p99_ms=na "
                        + "rate_range=100/s-100/s throughput_range=98/s-100/s");
    }

    @Test
    void shouldDropRunsInBothFormsAndStartTheChildAsThisJvmWasStarted() {
        assertThat(BenchRuns.withoutRuns(List.of("--rate", "100", "--runs", "3", "--duration", "10")))
                .containsExactly("--rate", "100", "--duration", "10");
        assertThat(BenchRuns.withoutRuns(List.of("--runs=5", "--rate", "100"))).containsExactly("--rate", "100");

        List<String> command = BenchRuns.childCommand("java",
                List.of("-XX:TieredStopAtLevel=1", "-Xmx2g", "-agentpath:/x.so=start"),
                Arrays.asList("-agentpath:/x.so=start", null), "app.jar", List.of("--rate", "100"), 4242);
        // the agent comes from JAVA_TOOL_OPTIONS, which the child reads itself: passed twice it would load twice
        assertThat(command).containsExactly("java", "-XX:TieredStopAtLevel=1", "-Xmx2g", "-cp", "app.jar",
                "io.copytrader.CopyTraderCli", "bench", "--rate", "100", "--stop-with-pid", "4242");
    }

    @Test
    @Timeout(60)
    void shouldPassEachRunsOutputThroughThenPrintTheSummary() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = BenchRuns.runEach(2, List.of("sh", "-c", "echo 'bench: step rate=100/s'; echo '" + RUN_2 + "'"),
                new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly("bench: run 1 of 2",
                "bench: step rate=100/s", RUN_2, "bench: run 2 of 2", "bench: step rate=100/s", RUN_2,
                BenchRuns.summary(List.of(RUN_2, RUN_2)));
    }

    @Test
    @Timeout(60)
    void shouldStopAtARunThatFailsOrPrintsNoResult() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(BenchRuns.runEach(3, List.of("sh", "-c", "echo 'bench: venue did not start'; exit 3"),
                new PrintStream(out, true, StandardCharsets.UTF_8))).isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly("bench: run 1 of 3",
                "bench: venue did not start", "bench: run 1 of 3 failed (exit status 3, no result line); no summary");

        out.reset();
        assertThat(BenchRuns.runEach(2, List.of("sh", "-c", "echo 'bench: step rate=100/s'"),
                new PrintStream(out, true, StandardCharsets.UTF_8))).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .endsWith("bench: run 1 of 2 failed (exit status 0, no result line); no summary" + System.lineSeparator());
    }

    @Test
    @Timeout(120)
    void shouldStartAChildThatRunsTheBenchCommand() throws Exception {
        // this JVM's own command line, class path and options: the child answers the bench's --help
        String program = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = BenchRuns.childCommand(program,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(),
                Arrays.asList(System.getenv("JAVA_TOOL_OPTIONS"), System.getenv("JDK_JAVA_OPTIONS")),
                System.getProperty("java.class.path"), List.of("--help"), ProcessHandle.current().pid());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(child.waitFor()).as(said).isZero();
        assertThat(said).contains("Usage: copytrader bench").contains("--runs=N");
    }
}

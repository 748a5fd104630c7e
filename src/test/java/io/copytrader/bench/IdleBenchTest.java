package io.copytrader.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The idle bench launches the main command as a process of its own: from the test's class path of folders there is
 * no jar, so the engine runs in the launched JVM (no launcher child). The figures are the bench's business; the test
 * keeps the run and its line from rotting, and checks that nothing of it is left behind.
 */
class IdleBenchTest {
    private static final Pattern LINE = Pattern.compile("bench-idle: launch_ms=(\\d+) archive=none cpu_pct=([0-9.]+) "
            + "engine_pct=([0-9.]+) engine_rss_mb=([0-9.]+|na)");

    @Test
    @Timeout(180)
    void shouldLaunchTheEmbeddedDefaultMeasureItAndStopIt() throws Exception {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        IdleBench.Result result = new IdleBench(new IdleBench.Options(0, 1),
                new PrintStream(report, true, StandardCharsets.UTF_8)).run();

        // the engine copied a trade of the embedded paper trader, and its JVM was measured over the window
        Matcher m = LINE.matcher(result.line());
        assertThat(m.matches()).as(result.line()).isTrue();
        assertThat(result.launchMillis()).isPositive();
        assertThat(result.shares()).singleElement().satisfies(s -> {
            assertThat(s.role()).isEqualTo("engine");
            assertThat(s.cpuPercent()).isPositive();
        });
        // the process is stopped, and its store's folder removed
        long pid = result.shares().get(0).pid();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        Matcher folder = Pattern.compile("store in (\\S+);").matcher(report.toString(StandardCharsets.UTF_8));
        assertThat(folder.find()).isTrue();
        assertThat(Path.of(folder.group(1))).doesNotExist();
    }

    @Test
    void shouldRunTheEngineOnTheEmbeddedDefaultWhateverTheCallerSet(@TempDir Path folder) {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin", "HOME", "/home/u", "VENUE", "polymarket",
                "TARGET_TRADERS", "0xabc", "POLY_API_SECRET", "s3cret", "JAVA_TOOL_OPTIONS", "-Xmx1g",
                "STORE_URL", "jdbc:postgresql://db/live", "COPYTRADER_JIT", "c2"));

        IdleBench.cleanEnvironment(env, folder);

        assertThat(env).containsOnlyKeys("PATH", "HOME", "STORE_URL", "MANAGEMENT_PORT")
                .containsEntry("PATH", "/usr/bin")
                .containsEntry("STORE_URL", "jdbc:sqlite:" + folder.resolve("idle.db"))
                .containsEntry("MANAGEMENT_PORT", "0");
    }

    @Test
    void shouldReadTheResidentSetOrSayItCannot(@TempDir Path folder) throws Exception {
        Path status = folder.resolve("status");
        Files.writeString(status, "Name:\tjava\nVmPeak:\t 9999 kB\nVmRSS:\t  235520 kB\nThreads:\t42\n");
        assertThat(IdleBench.rssKb(status)).hasValue(235_520);

        Files.writeString(status, "Name:\tjava\nVmRSS:\tlots kB\n");
        assertThat(IdleBench.rssKb(status)).isEmpty();
        assertThat(IdleBench.rssKb(folder.resolve("missing"))).isEmpty();
        assertThat(IdleBench.rssMb(-1)).isEqualTo("na");
    }

    @Test
    void shouldNameEachProcessOfTheTreeAndSumTheirShares() {
        IdleBench.Result result = new IdleBench.Result(2260, "used", List.of(
                new IdleBench.Share("launcher", 10, 0.234, "49.8"), new IdleBench.Share("engine", 11, 1.9661, "199.6")));

        assertThat(result.cpuPercent()).isCloseTo(2.2001, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(result.line()).isEqualTo("bench-idle: launch_ms=2260 archive=used cpu_pct=2.20 launcher_pct=0.23 "
                + "engine_pct=1.97 launcher_rss_mb=49.8 engine_rss_mb=199.6");
    }

    @Test
    void shouldRefuseAWindowOfNothing() {
        assertThatThrownBy(() -> new IdleBench.Options(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IdleBench.Options(-1, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSumSeveralRunsUpByTheirMedians() {
        List<IdleBench.Result> runs = List.of(engineRun(1697, 1.62, "238.2"), engineRun(1343, 1.58, "234.0"),
                engineRun(1539, 1.671, "229.9"));

        assertThat(IdleBench.summary(runs)).isEqualTo("bench-idle: runs=3 launch_ms=1539 cpu_pct=1.62 engine_pct=1.62 "
                + "engine_rss_mb=234.0 launch_ms_range=1343-1697 cpu_pct_range=1.58-1.67");
    }

    @Test
    void shouldTakeTheMeanOfTheTwoMiddleRunsAndSayWhenAMemoryWasNotRead() {
        List<IdleBench.Result> runs = List.of(engineRun(2000, 2.0, "200.0"), engineRun(1000, 1.0, "na"),
                engineRun(4000, 4.0, "400.0"), engineRun(1500, 3.0, "300.0"));

        assertThat(IdleBench.summary(runs)).isEqualTo("bench-idle: runs=4 launch_ms=1750 cpu_pct=2.50 engine_pct=2.50 "
                + "engine_rss_mb=na launch_ms_range=1000-4000 cpu_pct_range=1.00-4.00");
    }

    @Test
    void shouldSumTheTreeOnlyWhenTheRunsHadDifferentProcesses() {
        // a run whose engine ran as a child (launcher and engine) beside one where it replaced the launcher
        List<IdleBench.Result> runs = List.of(engineRun(1800, 2.0, "230.0"),
                new IdleBench.Result(1900, "used", List.of(new IdleBench.Share("launcher", 2, 0.2, "50.0"),
                        new IdleBench.Share("engine", 3, 2.2, "231.0"))));

        assertThat(IdleBench.summary(runs)).isEqualTo("bench-idle: runs=2 launch_ms=1850 cpu_pct=2.20 "
                + "launch_ms_range=1800-1900 cpu_pct_range=2.00-2.40");
        assertThatThrownBy(() -> IdleBench.summary(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    /** A run whose engine replaced the launcher: one process. */
    private static IdleBench.Result engineRun(long launchMillis, double cpuPercent, String rssMb) {
        return new IdleBench.Result(launchMillis, "used", List.of(new IdleBench.Share("engine", 1, cpuPercent, rssMb)));
    }
}

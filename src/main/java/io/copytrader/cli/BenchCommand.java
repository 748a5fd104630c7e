package io.copytrader.cli;

import io.copytrader.bench.Bench;
import io.copytrader.bench.BenchRuns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Measures the engine on this machine: a paper venue in its own process emitting target-trader fills open-loop,
 * the real pipeline copying them, and the raw HTTP ceiling in the same run. The last line of stdout is
 * machine-readable ({@code bench: rate=... ratio=... heap_mb=...}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures the engine on this machine: throughput, detection-to-accepted latency, the HTTP ceiling.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--rate", paramLabel = "N",
            description = "Offered trades/s. Absent: step the rate up and report the highest sustainable one.")
    Double rate;

    @Option(names = "--duration", paramLabel = "S",
            description = "Measured seconds (default: 20 at a fixed rate, 5 per step when searching).")
    Integer duration;

    @Option(names = "--warmup", paramLabel = "S",
            description = "Unmeasured seconds before measuring (default: 5 at a fixed rate, 2 per step when searching).")
    Integer warmup;

    @Option(names = "--prewarm", paramLabel = "S",
            description = "Unmeasured seconds of the whole pipeline before the first measurement, so the JIT compiler's "
                    + "first minute is not judged as the engine's (default: 20 when searching, else the warm-up, 1 to 3).")
    Integer prewarm;

    @Option(names = "--instruments", paramLabel = "N",
            description = "Instruments the bench's trader trades (default: 20). One order per instrument is out at a "
                    + "time, so with a venue latency L at most about N / L copies per second go out.")
    Integer instruments;

    @Option(names = "--venue-latency-ms", paramLabel = "L", defaultValue = "0",
            description = "Latency the venue adds to every order placement, ms (default: ${DEFAULT-VALUE}).")
    long venueLatencyMs;

    @Option(names = "--cooldown-ms", paramLabel = "C", defaultValue = "0",
            description = "TRADE_COOLDOWN_MS for the run (default: ${DEFAULT-VALUE}: unthrottled).")
    long cooldownMs;

    @Option(names = "--p99-bound-ms", paramLabel = "B", defaultValue = "50",
            description = "When searching: the p99 latency a sustainable rate stays under, ms (default: ${DEFAULT-VALUE}).")
    double p99BoundMs;

    @Option(names = "--sweep-latencies-ms", paramLabel = "L,...", split = ",", defaultValue = "0,20,50,100",
            description = "After the main measurement, measure again at its rate with the venue adding each of these "
                    + "latencies, and print each throughput over the first one's (default: ${DEFAULT-VALUE}; "
                    + "-1 for no sweep).")
    List<Long> sweepLatenciesMs;

    @Option(names = "--profile", paramLabel = "PREFIX",
            description = "Sample each measured step's CPU with async-profiler and print it per copied trade by kind of "
                    + "work (store, HTTP, Camel routing, our decisions, waits, JSON, metrics, logging, JVM, the bench's own); "
                    + "each step's stacks go to PREFIX-<step>-<rate>.collapsed (collapsed format, for flame graphs) in "
                    + "an existing folder.")
    String profile;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "1",
            description = "Benches run one after another, each in a JVM of its own started as this one, 1-20 "
                    + "(default: ${DEFAULT-VALUE}). With more than one, each run's output, then a line of the medians "
                    + "and the ranges of the rate, throughput, p99, ratio, rtt50 ratio and CPU a trade.")
    int runs;

    @Option(names = "--stop-with-pid", paramLabel = "PID", hidden = true,
            description = "Stop when the process PID ends, however it ends (a run of --runs: its parent's pid).")
    Long stopWithPid;

    @Spec
    CommandSpec spec;

    static final int MAX_RUNS = 20;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(Path.of("routes"))) {
            System.err.println("bench: no routes/ folder in " + Path.of("").toAbsolutePath() + "; run from the project folder");
            return 2;
        }
        if ((rate != null && !(rate > 0)) || (duration != null && duration < 1) || (warmup != null && warmup < 0)
                || (prewarm != null && prewarm < 0)
                || (instruments != null && (instruments < 1 || instruments > 1_000_000))
                || venueLatencyMs < 0 || cooldownMs < 0 || !(p99BoundMs > 0)) {
            System.err.println("bench: --rate, --duration and --p99-bound-ms must be positive; --warmup, --prewarm, "
                    + "--venue-latency-ms and --cooldown-ms not negative; --instruments 1 to 1000000");
            return 2;
        }
        List<Long> sweep = sweepLatenciesMs.equals(List.of(-1L)) ? List.of() : sweepLatenciesMs;
        if (sweep.stream().anyMatch(l -> l < 0)) {
            System.err.println("bench: --sweep-latencies-ms takes latencies of 0 or more, or -1 alone for no sweep");
            return 2;
        }
        if (profile != null && !profileFolderExists(profile)) {
            System.err.println("bench: --profile " + profile + ": no such folder for the stacks files");
            return 2;
        }
        if (runs < 1 || runs > MAX_RUNS) {
            System.err.println("bench: --runs 1-" + MAX_RUNS);
            return 2;
        }
        if (runs > 1 && profile != null) {
            System.err.println("bench: --profile samples one run; leave out --runs or --profile");
            return 2;
        }
        if (runs > 1) {
            return BenchRuns.run(runs, BenchRuns.withoutRuns(ownArguments()), System.out);
        }
        if (stopWithPid != null && !stopWithParent(stopWithPid)) {
            System.err.println("bench: process " + stopWithPid + " (--stop-with-pid) is not running; not starting");
            return 1;
        }
        Bench.Result result = new Bench(new Bench.Options(rate, duration, warmup, venueLatencyMs, cooldownMs, p99BoundMs,
                sweep, prewarm, instruments, profile), System.out).run();
        System.out.printf("bench: store=%s gc_pause_ms_total=%d%n", result.store(), result.gcPauseMsTotal());
        System.out.println(result.line());
        return 0;
    }

    /** The arguments given to this command: under the program's command line, those after its name. */
    private List<String> ownArguments() {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        int at = spec.parent() == null ? -1 : all.indexOf(spec.name());
        return all.subList(at + 1, all.size());
    }

    /** Ends this JVM when the process ends (false: it is not running). */
    private static boolean stopWithParent(long pid) {
        java.util.Optional<ProcessHandle> parent = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        parent.ifPresent(p -> p.onExit().thenRun(() -> {
            System.err.println("bench: process " + pid + " (--stop-with-pid) ended; stopping");
            System.exit(1);
        }));
        return parent.isPresent();
    }

    /** The folder the profile's stacks files go to exists (the prefix's parent; the working folder for a bare name). */
    static boolean profileFolderExists(String prefix) {
        if (prefix.isBlank()) {
            return false;
        }
        try {
            Path parent = Path.of(prefix).toAbsolutePath().getParent();
            return parent != null && Files.isDirectory(parent);
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }
}

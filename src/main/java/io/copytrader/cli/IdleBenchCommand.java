package io.copytrader.cli;

import io.copytrader.bench.IdleBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The launch and the idle engine as a user runs them: the main command on the embedded default, from its start to
 * the first copy, then the CPU of its whole process tree (launcher and engine JVMs) over a window. The last line of
 * stdout is machine-readable ({@code bench-idle: launch_ms=... cpu_pct=...}); with {@code --runs}, the medians of the
 * runs ({@code bench-idle: runs=N launch_ms=... cpu_pct=...}).
 */
@Command(name = "bench-idle", mixinStandardHelpOptions = true,
        description = "Measures the main command on the embedded default: launch to the first copy, then the idle CPU "
                + "of its launcher and engine JVMs and their memory.")
public final class IdleBenchCommand implements Callable<Integer> {
    static final int MAX_RUNS = 20;

    @Option(names = "--after", paramLabel = "S", defaultValue = "60",
            description = "Seconds after the first copy before the CPU is counted (default: ${DEFAULT-VALUE}; the "
                    + "JIT compiler is still busy in the first minute).")
    int afterSeconds;

    @Option(names = "--window", paramLabel = "S", defaultValue = "60",
            description = "Seconds the CPU is counted over (default: ${DEFAULT-VALUE}).")
    int windowSeconds;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "1",
            description = "Launches measured one after another, 1-20 (default: ${DEFAULT-VALUE}). With more than one, "
                    + "each run's line, then the medians and ranges; a run that makes the class archive is shown but "
                    + "not counted, and one more is made.")
    int runs;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(Path.of("routes"))) {
            System.err.println("bench-idle: no routes/ folder in " + Path.of("").toAbsolutePath()
                    + "; run from the project folder");
            return 2;
        }
        if (afterSeconds < 0 || windowSeconds < 1 || runs < 1 || runs > MAX_RUNS) {
            System.err.println("bench-idle: --after must not be negative, --window at least 1, --runs 1-" + MAX_RUNS);
            return 2;
        }
        IdleBench bench = new IdleBench(new IdleBench.Options(afterSeconds, windowSeconds), System.out);
        if (runs == 1) {
            System.out.println(bench.run().line());
            return 0;
        }
        List<IdleBench.Result> counted = new ArrayList<>();
        // only a first launch can make the archive: one extra launch at most
        for (int launch = 1; counted.size() < runs && launch <= runs + 1; launch++) {
            IdleBench.Result result = bench.run();
            boolean training = "trained".equals(result.archive());
            System.out.println(result.line() + (training ? " (made the class archive: not counted)" : ""));
            if (!training) {
                counted.add(result);
            }
        }
        if (counted.isEmpty()) {
            System.err.println("bench-idle: every launch made the class archive again (is target/ writable?); "
                    + "nothing counted");
            return 1;
        }
        System.out.println(IdleBench.summary(counted));
        return 0;
    }
}

package io.copytrader.cli;

import io.copytrader.bench.IdleBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The launch and the idle engine as a user runs them: the main command on the embedded default, from its start to
 * the first copy, then the CPU of its whole process tree (launcher and engine JVMs) over a window. The last line of
 * stdout is machine-readable ({@code bench-idle: launch_ms=... cpu_pct=...}).
 */
@Command(name = "bench-idle", mixinStandardHelpOptions = true,
        description = "Measures the main command on the embedded default: launch to the first copy, then the idle CPU "
                + "of its launcher and engine JVMs and their memory.")
public final class IdleBenchCommand implements Callable<Integer> {
    @Option(names = "--after", paramLabel = "S", defaultValue = "60",
            description = "Seconds after the first copy before the CPU is counted (default: ${DEFAULT-VALUE}; the "
                    + "JIT compiler is still busy in the first minute).")
    int afterSeconds;

    @Option(names = "--window", paramLabel = "S", defaultValue = "60",
            description = "Seconds the CPU is counted over (default: ${DEFAULT-VALUE}).")
    int windowSeconds;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(Path.of("routes"))) {
            System.err.println("bench-idle: no routes/ folder in " + Path.of("").toAbsolutePath()
                    + "; run from the project folder");
            return 2;
        }
        if (afterSeconds < 0 || windowSeconds < 1) {
            System.err.println("bench-idle: --after must not be negative, --window at least 1");
            return 2;
        }
        IdleBench.Result result = new IdleBench(new IdleBench.Options(afterSeconds, windowSeconds), System.out).run();
        System.out.println(result.line());
        return 0;
    }
}

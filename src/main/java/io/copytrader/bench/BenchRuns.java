package io.copytrader.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench --runs N}: the bench run N times, one after another, each in a JVM of its own started as the calling
 * one was (its JVM options, its class path), so that no run inherits another's compiled code, heap or threads. Each
 * run's output goes through as it comes; then one line gives the medians of the runs' machine-readable lines and the
 * ranges of the figures the goals are judged on. The machine is shared and noisy: a median of several runs is what
 * the README reports, and this computes it.
 */
public final class BenchRuns {
    /** The machine-readable line each run ends with. */
    static final String RESULT_PREFIX = "bench: rate=";
    /** The figures whose lowest and highest are printed beside the medians. */
    static final List<String> RANGES = List.of("rate", "throughput", "p99_ms", "ratio", "rtt50_ratio", "cpu_us");

    private BenchRuns() {
    }

    /**
     * The command that runs one bench: this JVM's program, the JVM options it was started with (not those it took from
     * {@code JAVA_TOOL_OPTIONS} or {@code JDK_JAVA_OPTIONS}: the child reads those itself), this class path, and the
     * bench's arguments, ending with the parent's pid for the child to stop with.
     *
     * @param program        the java launcher
     * @param jvmArguments   this JVM's input arguments ({@code RuntimeMXBean.getInputArguments()})
     * @param inheritedOptions the values of {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS} (null when unset)
     */
    static List<String> childCommand(String program, List<String> jvmArguments, List<String> inheritedOptions,
                                      String classPath, List<String> benchArguments, long parentPid) {
        Set<String> inherited = new java.util.HashSet<>();
        for (String options : inheritedOptions) {
            if (options != null) {
                inherited.addAll(List.of(options.trim().split("\\s+")));
            }
        }
        List<String> command = new ArrayList<>();
        command.add(program);
        for (String argument : jvmArguments) {
            if (!inherited.contains(argument)) {
                command.add(argument);
            }
        }
        command.addAll(List.of("-cp", classPath, "io.copytrader.CopyTraderCli", "bench"));
        command.addAll(benchArguments);
        command.addAll(List.of("--stop-with-pid", Long.toString(parentPid)));
        return command;
    }

    /** The bench's arguments without {@code --runs} (as {@code --runs N} or {@code --runs=N}). */
    public static List<String> withoutRuns(List<String> arguments) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            String a = arguments.get(i);
            if (a.equals("--runs")) {
                i++; // and its value
            } else if (!a.startsWith("--runs=")) {
                kept.add(a);
            }
        }
        return kept;
    }

    /** The fields of a machine-readable line ({@code bench: rate=100/s throughput=99/s ...}), in their order. */
    static Map<String, String> fields(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String token : line.substring("bench:".length()).trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                fields.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return fields;
    }

    /**
     * The runs' medians, field by field, as the runs print them (a {@code /s} kept, as many decimals as the first
     * run's value has); a field that is not a number in any run ({@code na}) is {@code na}. Then the lowest and highest
     * of {@link #RANGES}. With an even count the median is the mean of the two middle runs.
     */
    public static String summary(List<String> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("no run to sum up");
        }
        List<Map<String, String>> runs = lines.stream().map(BenchRuns::fields).toList();
        StringBuilder b = new StringBuilder("bench: runs=").append(runs.size());
        for (String key : runs.get(0).keySet()) {
            List<Double> values = numbers(runs, key);
            String first = runs.get(0).get(key);
            b.append(' ').append(key).append('=')
                    .append(values == null ? "na" : format(IdleBench.median(values), first));
        }
        for (String key : RANGES) {
            List<Double> values = runs.get(0).containsKey(key) ? numbers(runs, key) : null;
            if (values != null) {
                String first = runs.get(0).get(key);
                b.append(' ').append(key).append("_range=")
                        .append(format(IdleBench.min(values), first)).append('-')
                        .append(format(IdleBench.max(values), first));
            }
        }
        return b.toString();
    }

    /** Every run's value of the field as a number; null when one run lacks it or it is not a number there. */
    private static List<Double> numbers(List<Map<String, String>> runs, String key) {
        List<Double> values = new ArrayList<>();
        for (Map<String, String> run : runs) {
            String value = run.get(key);
            if (value == null) {
                return null;
            }
            try {
                double d = Double.parseDouble(value.endsWith("/s") ? value.substring(0, value.length() - 2) : value);
                if (!Double.isFinite(d)) {
                    return null;
                }
                values.add(d);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return values;
    }

    /** {@code value} written as {@code like} is: its decimals, its {@code /s}. */
    private static String format(double value, String like) {
        String bare = like.endsWith("/s") ? like.substring(0, like.length() - 2) : like;
        int dot = bare.indexOf('.');
        int decimals = dot < 0 ? 0 : bare.length() - dot - 1;
        return String.format(Locale.ROOT, "%." + decimals + "f", value) + (like.endsWith("/s") ? "/s" : "");
    }

    /**
     * Runs {@code runs} benches one after another with {@code benchArguments}, each run's output passed to {@code out}
     * as it comes, then prints the summary. Stops at the first run that fails (exit status not 0, or no result line):
     * the figures of a run cut short say nothing.
     *
     * @return 0, or the failed run's exit status (1 when it exited 0 without a result line)
     */
    public static int run(int runs, List<String> benchArguments, PrintStream out) throws IOException,
            InterruptedException {
        String program = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = childCommand(program,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(),
                java.util.Arrays.asList(System.getenv("JAVA_TOOL_OPTIONS"), System.getenv("JDK_JAVA_OPTIONS")),
                System.getProperty("java.class.path"), benchArguments, ProcessHandle.current().pid());
        return runEach(runs, command, out);
    }

    /** {@link #run}: {@code command} started {@code runs} times. */
    static int runEach(int runs, List<String> command, PrintStream out) throws IOException, InterruptedException {
        List<String> results = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            out.printf(Locale.ROOT, "bench: run %d of %d%n", run, runs);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String result = null;
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.println(line);
                    if (line.startsWith(RESULT_PREFIX)) {
                        result = line;
                    }
                }
            } finally {
                if (process.isAlive()) {
                    ChildProcess.stop(process);
                }
            }
            int status = process.waitFor();
            if (status != 0 || result == null) {
                out.printf(Locale.ROOT, "bench: run %d of %d failed (exit status %d%s); no summary%n", run, runs, status,
                        result == null ? ", no result line" : "");
                return status != 0 ? status : 1;
            }
            results.add(result);
        }
        out.println(summary(results));
        return 0;
    }
}

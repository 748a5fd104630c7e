package io.copytrader.bench;

import io.copytrader.cli.SharedArchiveLauncher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The idle engine and its launch, measured as a user runs it: the main command ({@code java -jar copytrader.jar}, or
 * the same main class over the class path when there is no jar) started as a process of its own on the embedded
 * default, its whole process tree counted. On Linux, with the class archive made, that is one process: the engine's
 * JVM replaced the launcher's (execve). Elsewhere, and on the run that makes the archive, it is the launcher JVM that
 * only waits and the engine's JVM it starts; that launcher took about a fifth of a per cent of a core on a 2-core
 * machine (its JVM's periodic tasks), which the idle figures before session 45 did not count.
 *
 * <p>The engine gets a clean environment (the embedded default whatever the caller's shell sets: no real venue, no
 * other targets), a store of its own in a temporary folder and an ephemeral management port; it runs from the
 * working folder, so with that folder's {@code routes/} and {@code application.properties}, as {@code run} does.
 * Launch is the time from starting the process to the engine's first {@code Copied} line (the embedded paper trader
 * trades twice a second). Then, {@code after} seconds after the launch, the CPU time of every process of the tree over
 * {@code window} seconds, as a share of one core ({@link ProcessHandle.Info#totalCpuDuration}, the kernel's counters),
 * and each process's resident memory at the end (Linux {@code /proc}; {@code na} elsewhere).
 */
public final class IdleBench {
    /** How long the first copy may take before the run is given up (a first launch also trains the class archive). */
    static final Duration FIRST_COPY_TIMEOUT = Duration.ofSeconds(120);
    static final String COPIED = "io.copytrader.copied - Copied ";
    /** The engine's last output lines kept for the error of a run that copied nothing. */
    static final int KEPT_LINES = 20;

    /**
     * @param afterSeconds  seconds after the launch (the first copy) before the CPU is counted
     * @param windowSeconds seconds the CPU is counted over
     */
    public record Options(int afterSeconds, int windowSeconds) {
        public Options {
            if (afterSeconds < 0 || windowSeconds < 1) {
                throw new IllegalArgumentException("after must not be negative and the window must be at least 1 s");
            }
        }
    }

    /** One process of the tree over the window: its role, CPU as a percentage of a core, resident set in MB. */
    public record Share(String role, long pid, double cpuPercent, String rssMb) {
    }

    /**
     * The run's figures.
     *
     * @param archive how the engine's JVM was started: "used" (with the jar's class archive), "trained" (making it:
     *                a launch slower than a user's next one), "none" (no child JVM, or one without an archive: a class
     *                path of folders, COPYTRADER_CDS=off)
     */
    public record Result(long launchMillis, String archive, List<Share> shares) {
        public double cpuPercent() {
            return shares.stream().mapToDouble(Share::cpuPercent).sum();
        }

        public String line() {
            StringBuilder b = new StringBuilder("bench-idle: launch_ms=").append(launchMillis)
                    .append(" archive=").append(archive)
                    .append(" cpu_pct=").append(pct(cpuPercent()));
            for (Share s : shares) {
                b.append(' ').append(s.role()).append("_pct=").append(pct(s.cpuPercent()));
            }
            for (Share s : shares) {
                b.append(' ').append(s.role()).append("_rss_mb=").append(s.rssMb());
            }
            return b.toString();
        }
    }

    /**
     * The line of several runs: the median of each figure every run has (the launch, the tree's CPU, each role's CPU
     * and resident memory), then the launch's and the CPU's lowest and highest. With an even count the median is the
     * mean of the two middle runs. A memory any run could not read makes that median {@code na}.
     */
    public static String summary(List<Result> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no run to sum up");
        }
        List<String> roles = runs.get(0).shares().stream().map(Share::role).toList();
        boolean sameRoles = runs.stream().allMatch(r -> r.shares().stream().map(Share::role).toList().equals(roles));
        List<Double> launches = runs.stream().map(r -> (double) r.launchMillis()).toList();
        List<Double> cpu = runs.stream().map(Result::cpuPercent).toList();
        StringBuilder b = new StringBuilder("bench-idle: runs=").append(runs.size())
                .append(" launch_ms=").append(Math.round(median(launches)))
                .append(" cpu_pct=").append(pct(median(cpu)));
        if (sameRoles) {
            for (int i = 0; i < roles.size(); i++) {
                int at = i;
                b.append(' ').append(roles.get(i)).append("_pct=")
                        .append(pct(median(runs.stream().map(r -> r.shares().get(at).cpuPercent()).toList())));
            }
            for (int i = 0; i < roles.size(); i++) {
                int at = i;
                List<String> rss = runs.stream().map(r -> r.shares().get(at).rssMb()).toList();
                b.append(' ').append(roles.get(i)).append("_rss_mb=").append(rss.stream().allMatch(IdleBench::isNumber)
                        ? String.format(Locale.ROOT, "%.1f", median(rss.stream().map(Double::valueOf).toList()))
                        : "na");
            }
        }
        return b.append(" launch_ms_range=").append(Math.round(min(launches))).append('-')
                .append(Math.round(max(launches)))
                .append(" cpu_pct_range=").append(pct(min(cpu))).append('-').append(pct(max(cpu))).toString();
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private final Options options;
    private final PrintStream out;

    public IdleBench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public Result run() throws IOException, InterruptedException {
        Path folder = Files.createTempDirectory("copytrader-idle-");
        Optional<Path> jar = SharedArchiveLauncher.jarOfThisClass();
        ProcessBuilder builder = new ProcessBuilder(command(jar)).redirectErrorStream(true);
        cleanEnvironment(builder.environment(), folder);
        out.printf("bench-idle: %s on the embedded default, store in %s; CPU counted %d-%d s after the first copy%n",
                String.join(" ", shortCommand(jar)), folder, options.afterSeconds(),
                options.afterSeconds() + options.windowSeconds());
        long started = System.nanoTime();
        Process launched = builder.start();
        AtomicLong firstCopy = new AtomicLong(-1);
        CountDownLatch copied = new CountDownLatch(1);
        ArrayDeque<String> lastLines = new ArrayDeque<>();
        Thread reader = new Thread(() -> drain(launched, firstCopy, copied, lastLines), "bench-idle output");
        reader.setDaemon(true);
        reader.start();
        List<ProcessHandle> tree = new ArrayList<>();
        try {
            if (!copied.await(FIRST_COPY_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || firstCopy.get() < 0) {
                throw new IOException("the engine copied nothing within " + FIRST_COPY_TIMEOUT.toSeconds()
                        + " s of its launch" + (launched.isAlive() ? "" : " (it exited with " + launched.exitValue() + ")")
                        + "; its last lines:" + System.lineSeparator() + lastLines(lastLines));
            }
            long launchMillis = TimeUnit.NANOSECONDS.toMillis(firstCopy.get() - started);
            // the engine's JVM: the process launched itself once it replaced the launcher (execve), else its child
            List<ProcessHandle> launchedTree = new ArrayList<>();
            launchedTree.add(launched.toHandle());
            launched.toHandle().descendants().forEach(launchedTree::add);
            String archive = archiveUse(launchedTree);
            out.printf("bench-idle: first copy %d ms after the launch (class archive %s)%n", launchMillis, archive);
            sleepUntil(firstCopy.get() + TimeUnit.SECONDS.toNanos(options.afterSeconds()), launched);
            tree.add(launched.toHandle());
            launched.toHandle().descendants().forEach(tree::add);
            Map<ProcessHandle, Duration> before = cpuOf(tree);
            long from = System.nanoTime();
            sleepUntil(from + TimeUnit.SECONDS.toNanos(options.windowSeconds()), launched);
            Map<ProcessHandle, Duration> after = cpuOf(tree);
            long wallNanos = System.nanoTime() - from;
            List<Share> shares = new ArrayList<>();
            for (ProcessHandle p : tree) {
                Duration b = before.get(p);
                Duration a = after.get(p);
                double pct = b == null || a == null ? 0 : 100.0 * a.minus(b).toNanos() / wallNanos;
                shares.add(new Share(role(p, launched, tree.size()), p.pid(), pct, rssMb(p.pid())));
            }
            Result result = new Result(launchMillis, archive, shares);
            for (Share s : shares) {
                out.printf(Locale.ROOT, "bench-idle: %s (pid %d) %.2f %% of a core, RSS %s MB%n", s.role(), s.pid(),
                        s.cpuPercent(), s.rssMb());
            }
            return result;
        } finally {
            launched.toHandle().descendants().forEach(tree::add);
            ChildProcess.stop(launched);
            for (ProcessHandle p : tree) {
                if (p.isAlive() && p.destroyForcibly()) {
                    awaitExit(p);
                }
            }
            deleteQuietly(folder);
        }
    }

    /** The launcher is the process started; with a child, that child is the engine. Alone, it is the engine. */
    static String role(ProcessHandle p, Process launched, int treeSize) {
        if (p.pid() == launched.pid()) {
            return treeSize > 1 ? "launcher" : "engine";
        }
        return treeSize > 2 ? "engine_" + p.pid() : "engine";
    }

    /**
     * The environment of a user who set nothing: PATH, HOME, the locale and the temporary folder kept, every other
     * variable dropped (a real venue's settings, JAVA_TOOL_OPTIONS, COPYTRADER_JIT...), then the bench's store and an
     * ephemeral management port.
     */
    static void cleanEnvironment(Map<String, String> env, Path folder) {
        Map<String, String> kept = new LinkedHashMap<>();
        for (String name : List.of("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")) {
            String value = env.get(name);
            if (value != null) {
                kept.put(name, value);
            }
        }
        env.clear();
        env.putAll(kept);
        env.put("STORE_URL", "jdbc:sqlite:" + folder.resolve("idle.db"));
        env.put("MANAGEMENT_PORT", "0");
    }

    private static List<String> command(Optional<Path> jar) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        if (jar.isPresent()) {
            command.add("-jar");
            command.add(jar.get().toString());
        } else {
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("io.copytrader.CopyTraderCli");
        }
        return command;
    }

    private static List<String> shortCommand(Optional<Path> jar) {
        return jar.isPresent() ? List.of("java", "-jar", jar.get().getFileName().toString())
                : List.of("java", "-cp", "<class path>", "io.copytrader.CopyTraderCli");
    }

    /** Reads the engine's output: the first copy's time, and the last {@link #KEPT_LINES} lines for an error. */
    private static void drain(Process p, AtomicLong firstCopy, CountDownLatch copied, ArrayDeque<String> lastLines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lastLines) {
                    if (lastLines.size() == KEPT_LINES) {
                        lastLines.removeFirst();
                    }
                    lastLines.addLast(line);
                }
                if (copied.getCount() > 0 && line.contains(COPIED)) {
                    firstCopy.set(System.nanoTime());
                    copied.countDown();
                }
            }
        } catch (IOException e) {
            // the process ended: nothing more to read
        } finally {
            copied.countDown(); // exited before copying: the waiter sees firstCopy still unset
        }
    }

    private static String lastLines(ArrayDeque<String> lastLines) {
        synchronized (lastLines) {
            return String.join(System.lineSeparator(), lastLines);
        }
    }

    private static void awaitExit(ProcessHandle p) {
        try {
            p.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // still running after SIGKILL: nothing more to do from here
        }
    }

    private static void sleepUntil(long nanoTime, Process launched) throws IOException, InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            if (launched.waitFor(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS)) {
                throw new IOException("the engine exited with " + launched.exitValue() + " while it was measured");
            }
        }
    }

    private static Map<ProcessHandle, Duration> cpuOf(List<ProcessHandle> tree) {
        Map<ProcessHandle, Duration> cpu = new LinkedHashMap<>();
        for (ProcessHandle p : tree) {
            p.info().totalCpuDuration().ifPresent(d -> cpu.put(p, d));
        }
        return cpu;
    }

    /** VmRSS of /proc/PID/status in MB, one decimal; "na" where it cannot be read. */
    static String rssMb(long pid) {
        OptionalLong kb = rssKb(Path.of("/proc", Long.toString(pid), "status"));
        return kb.isPresent() ? String.format(Locale.ROOT, "%.1f", kb.getAsLong() / 1024.0) : "na";
    }

    static OptionalLong rssKb(Path status) {
        try (Stream<String> lines = Files.lines(status)) {
            return lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .map(l -> l.substring("VmRSS:".length()).trim().split("\\s+")[0])
                    .map(IdleBench::parseLong).orElse(OptionalLong.empty());
        } catch (IOException | UncheckedIOException e) {
            return OptionalLong.empty();
        }
    }

    private static OptionalLong parseLong(String s) {
        try {
            return OptionalLong.of(Long.parseLong(s));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    static String pct(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** How the launcher started the engine's JVM, read from the command lines of the processes launched. */
    static String archiveUse(List<ProcessHandle> processes) {
        for (ProcessHandle child : processes) {
            String[] args = child.info().arguments().orElse(new String[0]);
            for (String a : args) {
                if (a.startsWith("-XX:SharedArchiveFile=")) {
                    return "used";
                }
                if (a.startsWith("-XX:ArchiveClassesAtExit=")) {
                    return "trained";
                }
            }
        }
        return "none";
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left in the temporary folder
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // left in the temporary folder
        }
    }
}

package io.copytrader.bench;

import one.profiler.AsyncProfiler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where a measured step's engine CPU goes, by kind of work, from async-profiler's CPU samples of this JVM (Java, JVM
 * and kernel frames alike: a socket's write or an fsync is counted where the engine asked for it). {@code bench
 * --profile PREFIX} samples each measured step and prints the kinds per copied trade; each step's stacks go to
 * {@code PREFIX-<step>-<rate>.collapsed} (one line a stack, for flame graphs). The thread-CPU split by stage says which
 * stage a change moved; this says what kind of work in it.
 *
 * <p>A sample's kind is the first of these its stack contains: the bench's own work (its stage timeline, on only
 * while a step is measured, and its snapshots: CPU the engine spends only under the bench), the store (our store
 * classes, the JDBC drivers, the pool), the venue's HTTP (camel-http, Apache HttpClient, our venue clients), JSON
 * (Jackson, the paper venue's JSON), metrics (Micrometer, the pipeline's meters), logging, waits and wake-ups (a thread
 * parking or unparking another: the hand-offs between stages); then, by the deepest of its Camel or CopyTrader frames,
 * Camel's routing or our own decisions (sizing, queues, ids); then the JVM's own threads (collector, compiler); the
 * rest is "other". Each kind is its share of the samples times the step's measured engine CPU per trade.
 */
public final class CpuProfile implements AutoCloseable {

    /** The kinds, in the order they are printed. */
    static final List<String> KINDS = List.of("store", "http", "routing", "decisions", "waits", "json", "metrics",
            "logging", "jvm", "bench", "other");

    private static final List<Map.Entry<String, Pattern>> BY_FRAME = List.of(
            // the bench's own work in the engine JVM: its stage timeline (on only while a step is measured), its
            // snapshots and load threads; a running engine does none of it
            Map.entry("bench", Pattern.compile("io/copytrader/engine/StageTimeline|io/copytrader/bench/")),
            Map.entry("store", Pattern.compile("io/copytrader/store/|org/sqlite/|org/postgresql/|com/zaxxer/hikari/")),
            Map.entry("http", Pattern.compile("org/apache/hc/|org/apache/camel/component/http/|org/apache/camel/http/"
                    + "|io/copytrader/venue/(Apache|Jdk)VenueHttpClient|java/net/http/")),
            Map.entry("json", Pattern.compile("com/fasterxml/jackson/|io/copytrader/paper/PaperJson")),
            Map.entry("metrics", Pattern.compile("io/micrometer/|io/copytrader/engine/PipelineMetrics"
                    + "|org/apache/camel/component/micrometer/")),
            Map.entry("logging", Pattern.compile("ch/qos/logback/|org/slf4j/")),
            Map.entry("waits", Pattern.compile("java/util/concurrent/locks/LockSupport\\.|Unsafe_Park|Unsafe_Unpark"
                    + "|java/lang/Object\\.wait|java/lang/Thread\\.sleep")));

    /** Frames that only carry a thread into the routes (a consumer's loop, the route-step adapter): neither kind. */
    private static final Pattern CARRIER = Pattern.compile(
            "io/copytrader/engine/PromptSedaComponent|io/copytrader/engine/RouteSteps\\$\\d+\\.process");

    /** Threads that are the JVM's own work (the collector, the JIT compiler, the VM thread). */
    private static final Pattern JVM_THREAD = Pattern.compile(
            "^\\[(GC Thread|G1 |C1 Compiler|C2 Compiler|VM Thread|VM Periodic|Service Thread|Sweeper)");

    /** One sample every this many ms of CPU. */
    static final int INTERVAL_MS = 5;

    private final AsyncProfiler profiler;
    private final Path file;

    private CpuProfile(AsyncProfiler profiler, Path file) {
        this.profiler = profiler;
        this.file = file;
    }

    /**
     * Starts sampling this JVM's CPU, or explains why it cannot (another operating system, perf events refused and
     * the timer fallback too): then the bench goes on without a profile.
     *
     * @throws IllegalStateException with the reason, when no profile can be taken here
     */
    static CpuProfile start(Path file) {
        AsyncProfiler profiler;
        try {
            profiler = AsyncProfiler.getInstance();
        } catch (Throwable e) { // UnsatisfiedLinkError and the like: no library for this platform
            throw new IllegalStateException("async-profiler does not load here: " + e.getMessage(), e);
        }
        String failures = "";
        for (String event : List.of("cpu", "itimer")) {
            try {
                profiler.execute("start,event=" + event + ",interval=" + INTERVAL_MS + "ms,threads");
                return new CpuProfile(profiler, file);
            } catch (Exception e) {
                failures += (failures.isEmpty() ? "" : "; ") + event + ": " + e.getMessage();
            }
        }
        throw new IllegalStateException("async-profiler does not sample here (" + failures + ")");
    }

    /**
     * Loads the profiler and samples for a moment, before anything is measured: the first start unpacks and loads
     * the native library and sets up every thread's timer, which stalled the first measured step by tens of ms.
     *
     * @throws IllegalStateException with the reason, when no profile can be taken here
     */
    static void prepare() {
        start(null).close();
    }

    /** Stops sampling, writes the stacks to the file and returns the samples by kind. */
    Map<String, Long> stop() throws IOException {
        profiler.execute("stop");
        String collapsed = profiler.execute("collapsed,threads");
        Files.writeString(file, collapsed, StandardCharsets.UTF_8);
        return byKind(collapsed);
    }

    @Override
    public void close() {
        try {
            profiler.execute("stop");
        } catch (Exception alreadyStopped) {
            // stop() ran, or the profiler never started: nothing is sampling
        }
    }

    /** Samples by kind (every kind present, 0 where none) of stacks in the collapsed format, thread first. */
    static Map<String, Long> byKind(String collapsed) {
        Map<String, Long> kinds = new LinkedHashMap<>();
        KINDS.forEach(k -> kinds.put(k, 0L));
        for (String line : collapsed.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            long samples;
            try {
                samples = Long.parseLong(line.substring(space + 1).trim());
            } catch (NumberFormatException notAStack) {
                continue;
            }
            kinds.merge(kindOf(line.substring(0, space)), samples, Long::sum);
        }
        return kinds;
    }

    /** The kind of one stack: frames separated by ';', the thread's name first in brackets. */
    static String kindOf(String stack) {
        String[] frames = stack.split(";");
        for (Map.Entry<String, Pattern> kind : BY_FRAME) {
            for (int i = 1; i < frames.length; i++) {
                if (kind.getValue().matcher(frames[i]).find()) {
                    return kind.getKey();
                }
            }
        }
        for (int i = frames.length - 1; i >= 1; i--) {
            String frame = frames[i];
            if (frame.startsWith("org/apache/camel/")) {
                return "routing";
            }
            if (frame.startsWith("io/copytrader/") && !CARRIER.matcher(frame).find()) {
                return "decisions";
            }
        }
        if (JVM_THREAD.matcher(frames[0]).find()) {
            return "jvm";
        }
        return "other";
    }

    /** The kinds as microseconds per trade: each kind's share of the samples times the step's CPU per trade. */
    static String perTrade(Map<String, Long> samples, double cpuUsPerTrade) {
        long total = samples.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, Long> kind : samples.entrySet()) {
            double share = total == 0 ? 0 : kind.getValue() / (double) total;
            line.append(String.format(Locale.ROOT, "%s=%.0f (%.0f %%) ", kind.getKey(), share * cpuUsPerTrade,
                    share * 100));
        }
        return line.toString().trim();
    }

    String file() {
        return file.toString();
    }
}

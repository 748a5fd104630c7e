package io.copytrader.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine's CPU split by pipeline stage, from the CPU time of its Java threads, which Camel names after the
 * endpoint they consume ({@code ... - seda://dispatch-orders}). A step prints it per copied trade, so the bench shows
 * which stage a change moved without a profiler. The JIT compiler's and the collector's threads are not Java threads;
 * the step's {@code jit=} and {@code gc=} count them. A thread that ended between two snapshots takes its CPU with it.
 */
final class StageThreadsCpu {
    /** Thread-name markers and the stage they name, first match wins. */
    private static final List<Map.Entry<String, String>> STAGES = List.of(
            Map.entry("dispatch-orders", "dispatch"),
            Map.entry("copy-trade", "copy"),
            Map.entry("Aggregator", "aggregate"),
            Map.entry("copy queue drops", "drops"),
            Map.entry("detect-trades", "detect"),
            Map.entry("detect-chain", "detect"),
            Map.entry("monitor-orders", "monitor"),
            Map.entry("copytrader-fill-window", "aggregate"),
            Map.entry("copytrader-store", "store"),
            Map.entry("vert.x", "vertx"));

    private StageThreadsCpu() {
    }

    /** The stage a thread of this name works for; "other" for the rest (the bench's own threads among them). */
    static String stageOf(String threadName) {
        for (Map.Entry<String, String> s : STAGES) {
            if (threadName.contains(s.getKey())) {
                return s.getValue();
            }
        }
        return "other";
    }

    /** CPU nanoseconds of this JVM's live Java threads so far, summed by stage; empty where thread CPU is not measured. */
    static Map<String, Long> snapshot() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
            return new TreeMap<>();
        }
        return byStage(threads, threads::getThreadCpuTime);
    }

    /**
     * Bytes this JVM's live Java threads have allocated so far, summed by stage; empty where the JVM does not count
     * them. Unlike CPU time, a thread's allocation hardly depends on what else the machine runs: a change that
     * allocates less per trade shows in one run, and the young collections (and their pauses) follow it.
     */
    static Map<String, Long> allocatedSnapshot() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
            return new TreeMap<>();
        }
        return byStage(threads, threads::getThreadAllocatedBytes);
    }

    private static Map<String, Long> byStage(ThreadMXBean threads, java.util.function.LongUnaryOperator measure) {
        Map<String, Long> byStage = new TreeMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue; // ended since the ids were read
            }
            long value = measure.applyAsLong(info.getThreadId());
            if (value > 0) {
                byStage.merge(stageOf(info.getThreadName()), value, Long::sum);
            }
        }
        return byStage;
    }

    /**
     * Microseconds per trade of each stage between two snapshots, largest first, as {@code dispatch=640 detect=130};
     * a stage under half a microsecond is left out, and a stage whose threads ended counts no less than 0.
     */
    static String perTrade(Map<String, Long> before, Map<String, Long> after, double trades) {
        Map<String, Double> us = new LinkedHashMap<>();
        after.forEach((stage, nanos) -> us.put(stage,
                Math.max(0, nanos - before.getOrDefault(stage, 0L)) / 1000.0 / Math.max(1, trades)));
        String line = largestFirst(us, "%s=%.0f", 0.5);
        return line.isEmpty() ? "none measured" : line;
    }

    /**
     * Kilobytes allocated per trade by each stage between two allocation snapshots, with their sum first, as
     * {@code total=41.2 dispatch=20.1 detect=12.5}; a stage under 0.05 kB is left out.
     */
    static String kilobytesPerTrade(Map<String, Long> before, Map<String, Long> after, double trades) {
        Map<String, Double> kb = new LinkedHashMap<>();
        after.forEach((stage, bytes) -> kb.put(stage,
                Math.max(0, bytes - before.getOrDefault(stage, 0L)) / 1000.0 / Math.max(1, trades)));
        if (kb.isEmpty()) {
            return "none measured";
        }
        double total = kb.values().stream().mapToDouble(Double::doubleValue).sum();
        String stages = largestFirst(kb, "%s=%.1f", 0.05);
        return String.format(Locale.ROOT, "total=%.1f", total) + (stages.isEmpty() ? "" : " " + stages);
    }

    /** The stages of at least {@code min}, largest first, each as {@code format} makes it, space-separated. */
    private static String largestFirst(Map<String, Double> values, String format, double min) {
        List<Map.Entry<String, Double>> sorted = new ArrayList<>(values.entrySet());
        sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, Double> e : sorted) {
            if (e.getValue() >= min) {
                line.append(line.length() == 0 ? "" : " ")
                        .append(String.format(Locale.ROOT, format, e.getKey(), e.getValue()));
            }
        }
        return line.toString();
    }
}

package io.copytrader.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this JVM's own JIT compiler and garbage collector threads, read from Linux's per-thread accounting
 * ({@code /proc/self/task/<tid>/stat}), so the bench can tell the engine's per-trade work from the JIT's warm-up.
 * Those threads are hidden from {@code ThreadMXBean}. Elsewhere than Linux both are 0.
 */
final class VmThreadsCpu {
    private static final Path TASKS = Path.of("/proc/self/task");
    /** USER_HZ: Linux reports utime and stime in 1/100 s on every architecture the JDK runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private VmThreadsCpu() {
    }

    /** CPU nanoseconds of the C1 and C2 compiler threads so far (threads that ended are not counted). */
    static long jitNanos() {
        return sum("C1 CompilerThre", "C2 CompilerThre");
    }

    /** CPU nanoseconds of the collector's threads (G1's workers, marker, refinement and service threads). */
    static long gcNanos() {
        return sum("GC Thread", "G1 ");
    }

    private static long sum(String... namePrefixes) {
        if (!Files.isDirectory(TASKS)) {
            return 0;
        }
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                ticks += ticksOf(task, namePrefixes);
            }
        } catch (IOException | RuntimeException e) {
            return 0; // accounting only: a bench figure of 0 rather than a failed run
        }
        return ticks * NANOS_PER_TICK;
    }

    private static long ticksOf(Path task, String... namePrefixes) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            // "tid (comm) state ppid ...": comm may contain spaces and parentheses, so it ends at the last ')'
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            String comm = stat.substring(open + 1, close);
            boolean wanted = false;
            for (String prefix : namePrefixes) {
                wanted |= comm.startsWith(prefix);
            }
            if (!wanted) {
                return 0;
            }
            String[] fields = stat.substring(close + 2).split(" ");
            // after comm: state is field 3, utime field 14 and stime field 15 (1-based, man proc)
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0; // the thread ended while it was read
        }
    }
}

package io.copytrader.bench;

import io.copytrader.engine.StageTimeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A bench step's copied trades, each cut into the stages of the pipeline by the marks of its route steps
 * ({@link StageTimeline}): each stage's median and 99th percentile, and for the trades slower than a bound, the stage
 * that was furthest over its median (where the tail is). Thread-safe.
 * <p>
 * A trade whose marks lack a step a stage needs (a route edited without it, a fill group whose first fill was not
 * followed) is counted and left out.
 */
final class StageBreakdown implements StageTimeline.Listener {
    /** A stage: from the end (or start) of one step to the start (or end) of another; null: the trade's detection. */
    record Stage(String name, String from, boolean fromEnd, String to, boolean toEnd) {
    }

    /** The stages of the shipped routes, in the order a trade goes through them; the last ends at the acceptance. */
    static final List<Stage> STAGES = List.of(
            // detection to the first step after its durable admission: the page's admission write and the split
            new Stage("admit", null, false, "recordDetectionLag", false),
            // the fill aggregator's thread picking the fill group up
            new Stage("aggregate", "trackTargetPosition", true, "linkAggregate", false),
            new Stage("copy_queue", "linkAggregate", true, "takeFromQueue", false),
            // sizing, risk and the cooldown on a copy consumer
            new Stage("copy", "takeFromQueue", false, "awaitCooldown", true),
            // a slot under the in-flight bound, the hand-off to a placing thread, the breaker (the instrument's turn
            // is taken on the copy queue)
            new Stage("dispatch_queue", "awaitCooldown", true, "writeOutbox", false),
            // the outbox write: a group commit, fsync'd under FULL
            new Stage("outbox", "writeOutbox", false, "writeOutbox", true),
            new Stage("prepare", "writeOutbox", true, "buildRequest", true),
            // the HTTP round trip to the venue (with any retries)
            new Stage("venue", "buildRequest", true, "classifyAnswer", false),
            new Stage("answer", "classifyAnswer", false, null, false));

    private final List<long[]> rows = new ArrayList<>();
    private long incomplete;

    @Override
    public synchronized void copied(long latencyMicros, List<StageTimeline.Mark> marks) {
        long[] row = new long[STAGES.size() + 1];
        row[0] = latencyMicros;
        for (int i = 0; i < STAGES.size(); i++) {
            Stage stage = STAGES.get(i);
            Long from = stage.from() == null ? Long.valueOf(0) : at(marks, stage.from(), stage.fromEnd());
            Long to = stage.to() == null ? Long.valueOf(latencyMicros) : at(marks, stage.to(), stage.toEnd());
            if (from == null || to == null) {
                incomplete++;
                return;
            }
            row[i + 1] = Math.max(0, to - from);
        }
        rows.add(row);
    }

    /** The first run of a step: its start or end; null if it did not run. */
    private static Long at(List<StageTimeline.Mark> marks, String step, boolean end) {
        for (StageTimeline.Mark mark : marks) {
            if (mark.step().equals(step)) {
                return end ? mark.endMicros() : mark.startMicros();
            }
        }
        return null;
    }

    /** Trades cut into stages so far. */
    synchronized int trades() {
        return rows.size();
    }

    /** Each stage's median, in microseconds, in {@link #STAGES}' order. */
    synchronized long[] medians() {
        long[] medians = new long[STAGES.size()];
        for (int i = 0; i < medians.length; i++) {
            medians[i] = percentile(i + 1, 50);
        }
        return medians;
    }

    private long percentile(int column, double p) {
        if (rows.isEmpty()) {
            return 0;
        }
        long[] values = rows.stream().mapToLong(r -> r[column]).sorted().toArray();
        int index = (int) Math.ceil(p / 100.0 * values.length) - 1;
        return values[Math.max(0, Math.min(values.length - 1, index))];
    }

    /**
     * For the trades over {@code boundMicros}: how many had each stage as the one furthest over its median, in
     * {@link #STAGES}' order.
     */
    synchronized int[] slowestStages(long boundMicros) {
        long[] medians = medians();
        int[] counts = new int[STAGES.size()];
        for (long[] row : rows) {
            if (row[0] <= boundMicros) {
                continue;
            }
            int worst = 0;
            for (int i = 1; i < counts.length; i++) {
                if (row[i + 1] - medians[i] > row[worst + 1] - medians[worst]) {
                    worst = i;
                }
            }
            counts[worst]++;
        }
        return counts;
    }

    /** Two lines for a step: the stages' medians and 99th percentiles, and where the trades over the bound were slow. */
    synchronized String lines(double rate, long boundMicros) {
        StringBuilder stages = new StringBuilder(String.format(Locale.ROOT,
                "bench: step rate=%.0f/s stages_us p50/p99 (n=%d, %d not cut):", rate, rows.size(), incomplete));
        for (int i = 0; i < STAGES.size(); i++) {
            stages.append(' ').append(STAGES.get(i).name()).append('=').append(percentile(i + 1, 50)).append('/')
                    .append(percentile(i + 1, 99));
        }
        int[] slowest = slowestStages(boundMicros);
        int over = Arrays.stream(slowest).sum();
        StringBuilder tail = new StringBuilder(String.format(Locale.ROOT,
                "bench: step rate=%.0f/s trades over %.1f ms: %d (%.1f %%); the stage furthest over its median:", rate,
                boundMicros / 1000.0, over, rows.isEmpty() ? 0.0 : 100.0 * over / rows.size()));
        for (int i = 0; i < STAGES.size(); i++) {
            if (slowest[i] > 0) {
                tail.append(' ').append(STAGES.get(i).name()).append('=').append(slowest[i]);
            }
        }
        return stages + System.lineSeparator() + tail;
    }
}

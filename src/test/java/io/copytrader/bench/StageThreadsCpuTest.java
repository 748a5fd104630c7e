package io.copytrader.bench;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StageThreadsCpuTest {

    @Test
    void shouldNameTheStageOfEachPipelineThreadAsCamelNamesIt() {
        assertThat(StageThreadsCpu.stageOf("Camel (camel-1) thread #9 - seda://dispatch-orders")).isEqualTo("dispatch");
        assertThat(StageThreadsCpu.stageOf("Camel (camel-1) thread #72 - seda://copy-trade")).isEqualTo("copy");
        assertThat(StageThreadsCpu.stageOf("Camel (camel-1) thread #73 - Aggregator")).isEqualTo("aggregate");
        assertThat(StageThreadsCpu.stageOf("copytrader-fill-window-checker")).isEqualTo("aggregate");
        assertThat(StageThreadsCpu.stageOf("Camel (camel-1) copy queue drops")).isEqualTo("drops");
        assertThat(StageThreadsCpu.stageOf("Camel (camel-1) thread #3 - scheduler://detect-trades")).isEqualTo("detect");
        assertThat(StageThreadsCpu.stageOf("Camel (camel-1) thread #2 - scheduler://monitor-orders")).isEqualTo("monitor");
        assertThat(StageThreadsCpu.stageOf("copytrader-store housekeeper")).isEqualTo("store");
        assertThat(StageThreadsCpu.stageOf("vert.x-eventloop-thread-0")).isEqualTo("vertx");
        assertThat(StageThreadsCpu.stageOf("main")).isEqualTo("other");
    }

    @Test
    void shouldGiveEachStagesMicrosecondsPerTradeLargestFirst() {
        Map<String, Long> before = Map.of("dispatch", 1_000_000L, "detect", 500_000L, "copy", 0L);
        Map<String, Long> after = Map.of("dispatch", 65_000_000L, "detect", 13_500_000L, "copy", 7_000_000L,
                "monitor", 40_000L);

        // 100 trades: dispatch 64 ms -> 640 us, detect 13 ms -> 130, copy 7 ms -> 70, monitor 40 us -> 0.4 (left out)
        assertThat(StageThreadsCpu.perTrade(before, after, 100)).isEqualTo("dispatch=640 detect=130 copy=70");
    }

    @Test
    void shouldNeverCountAStageWhoseThreadsEndedBelowZero() {
        Map<String, Long> before = Map.of("dispatch", 9_000_000L, "copy", 1_000_000L);
        Map<String, Long> after = Map.of("dispatch", 2_000_000L, "copy", 3_000_000L);

        assertThat(StageThreadsCpu.perTrade(before, after, 1000)).isEqualTo("copy=2");
        assertThat(StageThreadsCpu.perTrade(Map.of(), Map.of(), 10)).isEqualTo("none measured");
    }

    @Test
    void shouldCountTheCpuOfALiveThreadUnderItsStage() {
        var threads = ManagementFactory.getThreadMXBean();
        // named as the monitor's consumer for the while: "other" holds every thread of the test JVM, and one of them
        // ending between the snapshots takes its CPU out of the sum (the test failed so when run after an engine's)
        String name = Thread.currentThread().getName();
        Thread.currentThread().setName("Camel (test) thread #1 - scheduler://monitor-orders");
        try {
            Map<String, Long> before = StageThreadsCpu.snapshot();
            long start = threads.getCurrentThreadCpuTime();
            long spins = 0;
            while (threads.getCurrentThreadCpuTime() - start < 50_000_000L) {
                spins++; // burn 50 ms of this thread's CPU
            }
            Map<String, Long> after = StageThreadsCpu.snapshot();

            assertThat(spins).isPositive();
            assertThat(after.get("monitor") - before.getOrDefault("monitor", 0L)).isGreaterThanOrEqualTo(50_000_000L);
        } finally {
            Thread.currentThread().setName(name);
        }
    }
    @Test
    void shouldGiveTheKilobytesPerTradeOfEachStageAfterTheirSum() {
        Map<String, Long> before = Map.of("dispatch", 1_000_000L, "detect", 2_000_000L, "copy", 50_000L);
        Map<String, Long> after = Map.of("dispatch", 3_500_000L, "detect", 3_000_000L, "copy", 50_000L,
                "monitor", 4_000L);

        // 100 trades: dispatch 2.5 MB -> 25 kB, detect 1 MB -> 10, monitor 4 kB -> 0.04 (left out but in the sum)
        assertThat(StageThreadsCpu.kilobytesPerTrade(before, after, 100))
                .isEqualTo("total=35.0 dispatch=25.0 detect=10.0");
        assertThat(StageThreadsCpu.kilobytesPerTrade(Map.of(), Map.of(), 10)).isEqualTo("none measured");
    }

    @Test
    void shouldCountTheBytesALiveThreadAllocatesUnderItsStage() {
        String name = Thread.currentThread().getName();
        Thread.currentThread().setName("Camel (test) thread #1 - scheduler://monitor-orders");
        try {
            Map<String, Long> before = StageThreadsCpu.allocatedSnapshot();
            byte[][] kept = new byte[64][];
            for (int i = 0; i < kept.length; i++) {
                kept[i] = new byte[64 * 1024]; // 4 MiB in all, kept reachable until the second snapshot
            }
            Map<String, Long> after = StageThreadsCpu.allocatedSnapshot();

            assertThat(kept[kept.length - 1]).hasSize(64 * 1024);
            assertThat(after.get("monitor") - before.getOrDefault("monitor", 0L)).isGreaterThanOrEqualTo(4L << 20);
        } finally {
            Thread.currentThread().setName(name);
        }
    }
}

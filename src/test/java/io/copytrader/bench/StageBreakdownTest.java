package io.copytrader.bench;

import io.copytrader.engine.StageTimeline.Mark;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StageBreakdownTest {
    /** A trade's marks as the shipped routes make them, with {@code outbox} and {@code venue} microseconds. */
    private static List<Mark> trade(long outbox, long venue) {
        long t = 300;
        Mark lag = new Mark("recordDetectionLag", t, t + 10);
        Mark track = new Mark("trackTargetPosition", t + 10, t + 20);
        Mark link = new Mark("linkAggregate", t + 220, t + 230);
        Mark take = new Mark("takeFromQueue", t + 380, t + 390);
        Mark size = new Mark("sizeAndRisk", t + 390, t + 420);
        Mark cool = new Mark("awaitCooldown", t + 420, t + 430);
        Mark write = new Mark("writeOutbox", t + 530, t + 530 + outbox);
        long w = t + 530 + outbox;
        Mark sign = new Mark("prepareOrder", w, w + 40);
        Mark build = new Mark("buildRequest", w + 40, w + 100);
        Mark classify = new Mark("classifyAnswer", w + 100 + venue, w + 150 + venue);
        return List.of(lag, track, link, take, size, cool, write, sign, build, classify);
    }

    private static long latency(long outbox, long venue) {
        return 300 + 530 + outbox + 100 + venue + 80;
    }

    @Test
    void shouldCutEachTradeIntoTheStagesOfTheShippedRoutes() {
        StageBreakdown stages = new StageBreakdown();
        stages.copied(latency(700, 400), trade(700, 400));
        assertThat(stages.trades()).isEqualTo(1);
        // admit, aggregate, copy_queue, copy, dispatch_queue, outbox, prepare, venue, answer
        assertThat(stages.medians()).containsExactly(300, 200, 150, 50, 100, 700, 100, 400, 80);
    }

    @Test
    void shouldNameForEachSlowTradeTheStageFurthestOverItsMedian() {
        StageBreakdown stages = new StageBreakdown();
        for (int i = 0; i < 8; i++) {
            stages.copied(latency(700, 400), trade(700, 400));
        }
        stages.copied(latency(5_700, 400), trade(5_700, 400)); // a slow fsync
        stages.copied(latency(700, 6_400), trade(700, 6_400)); // a slow venue
        stages.copied(latency(3_000, 4_000), trade(3_000, 4_000)); // both, the venue the further over
        int[] slowest = stages.slowestStages(latency(700, 400));
        assertThat(slowest).containsExactly(0, 0, 0, 0, 0, 1, 0, 2, 0);
        assertThat(stages.lines(100, latency(700, 400)))
                .contains("stages_us p50/p99 (n=11, 0 not cut): admit=300/300 ")
                .contains(" outbox=700/5700 ")
                .contains("trades over 2.1 ms: 3 (27.3 %); the stage furthest over its median: outbox=1 venue=2");
    }

    @Test
    void shouldLeaveOutATradeWithoutAStepAStageNeeds() {
        StageBreakdown stages = new StageBreakdown();
        List<Mark> marks = trade(700, 400).stream().filter(m -> !m.step().equals("linkAggregate")).toList();
        stages.copied(latency(700, 400), marks);
        assertThat(stages.trades()).isZero();
        assertThat(stages.lines(100, 5_000)).contains("(n=0, 1 not cut)");
    }
}

package io.copytrader.engine;

import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static io.copytrader.engine.Trades.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lag from a trade's venue time: never negative (a venue clock ahead of ours), and recorded without failing for a
 * venue time centuries off (a feed's or a node's), where {@code Duration.toNanos} overflows a long.
 */
class PipelineMetricsLagTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final PipelineMetrics metrics = new PipelineMetrics(registry);

    @Test
    void shouldMeasureTheLagInNanosecondsUpToWhatALongHolds() {
        assertThat(PipelineMetrics.lagNanos(T0, T0.plusMillis(1500))).isEqualTo(1_500_000_000L);
        assertThat(PipelineMetrics.lagNanos(T0, T0)).isZero();
        assertThat(PipelineMetrics.lagNanos(T0.plusSeconds(1), T0)).as("venue time ahead").isZero();
        long most = Long.MAX_VALUE / 1_000_000_000L; // whole seconds whose nanoseconds a long still holds
        assertThat(PipelineMetrics.lagNanos(T0, T0.plusSeconds(most - 1))).isEqualTo((most - 1) * 1_000_000_000L);
        assertThat(PipelineMetrics.lagNanos(T0, T0.plusSeconds(most))).isEqualTo(Long.MAX_VALUE);
        assertThat(PipelineMetrics.lagNanos(Instant.MIN, Instant.MAX)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldRecordTheDetectionLagOfATradeDatedCenturiesOff() {
        DetectedTrade ahead = detectedAtT0("t-ahead", Instant.MAX);
        DetectedTrade behind = detectedAtT0("t-behind", Instant.MIN);

        metrics.feedDetectionLag(ahead);
        metrics.feedDetectionLag(behind);
        metrics.accepted(ahead, T0);

        Timer detected = registry.find(PipelineMetrics.LAG_DETECTED).timer();
        assertThat(detected.count()).isEqualTo(2);
        // the trade dated at the first instant lagged more than a long's nanoseconds: recorded as that many
        assertThat(detected.totalTime(TimeUnit.NANOSECONDS)).isEqualTo((double) Long.MAX_VALUE);
        assertThat(registry.find(PipelineMetrics.LAG_ACCEPTED).timer().count()).isEqualTo(1);
    }

    /** A trade the venue dated {@code tsEvent}, detected at T0. */
    static DetectedTrade detectedAtT0(String id, Instant tsEvent) {
        BigDecimal price = new BigDecimal("0.50");
        BigDecimal quantity = BigDecimal.TEN;
        return new DetectedTrade(new SourceTradeId(id), Trades.ALICE, Trades.YES_TOKEN, "Yes", Side.BUY, price,
                quantity, Decimals.notional(price, quantity), tsEvent, T0);
    }
}

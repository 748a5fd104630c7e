package io.copytrader.cli;

import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;
import io.copytrader.engine.PipelineMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StatusLagTest {
    static DetectedTrade trade(String id, Instant venueTime, Instant seen) {
        BigDecimal price = new BigDecimal("0.5");
        return new DetectedTrade(new SourceTradeId(id), new TraderId("alice"), new InstrumentId("T"), null, Side.BUY,
                price, BigDecimal.TEN, Decimals.notional(price, BigDecimal.TEN), venueTime, seen);
    }

    @Test
    void shouldPrintVenueTimeToDetectedAndToAcceptedPerSource() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics metrics = new PipelineMetrics(registry);
        metrics.defaultSource("data-api");
        Instant t = Instant.parse("2026-12-02T10:00:00Z");
        DetectedTrade onChain = trade("a", t, t.plusMillis(800));
        DetectedTrade fromApi = trade("b", t, t.plusSeconds(12));
        metrics.detectionLag(onChain, "chain");
        metrics.feedDetectionLag(fromApi);
        metrics.accepted(onChain, t.plusMillis(900));
        metrics.accepted(fromApi, t.plusMillis(12_100));

        Map<String, String> f = StatusCommand.figures(PrometheusText.parse(registry.scrape()));

        assertThat(f).containsKeys("detectionLagMs.chain", "detectionLagMs.data-api", "acceptedLagMs.chain",
                "acceptedLagMs.data-api");
        assertThat(f.get("detectionLagMs.chain")).startsWith("p50 ").endsWith("(n 1)");
        // HdrHistogram-backed percentiles are approximate: within a few percent of 800 ms and 12 s
        assertThat(millis(f.get("detectionLagMs.chain"))).isBetween(760.0, 840.0);
        assertThat(millis(f.get("detectionLagMs.data-api"))).isBetween(11_500.0, 12_500.0);
        assertThat(millis(f.get("acceptedLagMs.chain"))).isBetween(850.0, 950.0);
    }

    static double millis(String figure) {
        return Double.parseDouble(figure.substring(4, figure.indexOf(',')));
    }
}

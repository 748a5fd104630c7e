package io.copytrader.cli;

import io.copytrader.chain.ChainWiring;
import io.copytrader.engine.PipelineMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** status says whether chain detection runs: live, not live yet, or stopped for good (its worker ended). */
class StatusChainTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PipelineMetrics metrics = new PipelineMetrics(registry);

    private String chainFeed() {
        return StatusCommand.figures(PrometheusText.parse(registry.scrape())).get("chainFeed");
    }

    @Test
    void shouldSayWhetherTheChainFeedIsLiveNotLiveOrStopped() {
        assertThat(chainFeed()).as("chain detection off: no line").isNull();
        AtomicInteger live = new AtomicInteger(1);
        AtomicInteger stopped = new AtomicInteger();
        metrics.gauge(ChainWiring.LIVE, "live", live::get);
        metrics.gauge(ChainWiring.STOPPED, "stopped", stopped::get);

        assertThat(chainFeed()).isEqualTo("live");
        live.set(0);
        assertThat(chainFeed()).isEqualTo("not live (connecting or catching up)");
        stopped.set(1);
        assertThat(chainFeed()).startsWith("STOPPED (its worker ended on an error: no chain detection until a restart");
    }
}

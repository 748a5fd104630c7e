package io.copytrader.ops;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.scenario.EngineHarness;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dev mode (ROUTES_RELOAD=true): editing a route file while the engine runs takes effect without a restart, and
 * the trades waiting in the copy queue survive the reload of the route that feeds it.
 */
@Timeout(60)
class HotReloadTest {
    static final String ACCEPTS = "method: accepts\n";
    static final String ACCEPTS_AT_LEAST_1000 = "method: \"acceptsAtLeast(${body}, 1000)\"\n";

    @TempDir
    Path routes;

    @Test
    void shouldApplyAnEditedFilterToLaterTradesWithoutLosingQueuedOnes() throws Exception {
        copyRoutes();
        try (EngineHarness h = EngineHarness.builder()
                .set("camel.main.routes-include-pattern", "file:" + routes.toAbsolutePath() + "/*.camel.yaml")
                .set("camel.main.routes-reload-enabled", true)
                .set("camel.main.routes-reload-directory", routes.toAbsolutePath())
                // one slow consumer, so trades wait in the queue when the route file is edited
                .set("copytrader.queue.concurrent-trades", 1)
                .set("copytrader.copy.cooldown-ms", 150)
                .start()) {
            Route before = h.context().getRoute("aggregate-fills");

            // 1. alice trades 20 times; every trade passes the filter (minimum 0) and most wait in the queue
            h.emit(20);
            await().atMost(Duration.ofSeconds(5)).until(() -> h.store().detectedCount() == 20);
            // detected trades reach the queue once their fill-aggregation window (AGGREGATION_WINDOW_MS) closes
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> h.gauge(PipelineMetrics.QUEUE_LENGTH) >= 5);

            // 2. while they wait, the filter in aggregate-fills.camel.yaml (the route that feeds the queue) is raised
            Path aggregate = routes.resolve("aggregate-fills.camel.yaml");
            String yaml = Files.readString(aggregate);
            assertThat(yaml).contains(ACCEPTS);
            Files.writeString(aggregate, yaml.replace(ACCEPTS, ACCEPTS_AT_LEAST_1000));

            // 3. aggregate-fills alone is reloaded. Camel stops the old route gracefully: the trades it handed to the
            //    queue are its exchanges in flight until copied, so the reload waits for them (they go through with
            //    the old filter) instead of dropping them
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> h.context().getRoute("aggregate-fills") != before
                            && h.context().getRouteController().getRouteStatus("aggregate-fills") == ServiceStatus.Started);
            // one write can fire the watcher twice: wait until every route is back rather than catch the moment
            // between a removal and the re-add
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(h.context().getRoutes()).hasSize(JolokiaHawtioTest.ROUTES.size()));

            // 4. alice trades 30 more times; those below $1000 are skipped by the new rule
            h.emit(30);
            h.awaitSettled(50, Duration.ofSeconds(20));
            long laterBelow1000 = LongStream.rangeClosed(21, 50)
                    .mapToObj(seq -> h.store().trade(EngineHarness.TRADER + ":" + EngineHarness.TRADER + "-" + seq).orElseThrow())
                    .map(DetectedTrade::notional)
                    .filter(n -> n.compareTo(new BigDecimal("1000")) < 0)
                    .count();
            assertThat(laterBelow1000).isPositive();
            assertThat(h.counter("copytrader.trades.skipped", "reason", Reason.FILTER_BELOW_MIN_SIZE.name()))
                    .as("the 20 earlier trades passed the old filter; every later one below $1000 was skipped")
                    .isEqualTo(laterBelow1000);

            // the trading figures outlive the reload
            assertThat(h.counter(PipelineMetrics.TRADES_DETECTED)).as("detected, counted across the reload").isEqualTo(50);

            // 5. nothing was lost: every trade has its outcome, none dropped, and the books balance
            assertThat(h.outcomes(TradeOutcome.DROPPED)).isZero();
            assertThat(h.outcomes(TradeOutcome.ABANDONED)).isZero();
            h.assertOnlySkipped(Reason.FILTER_BELOW_MIN_SIZE, Reason.RISK_NOTHING_TO_SELL);
            h.assertAccountingIdentity();
        }
    }

    private void copyRoutes() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
    }
}

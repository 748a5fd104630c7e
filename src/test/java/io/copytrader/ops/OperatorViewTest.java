package io.copytrader.ops;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.ops.jmx.TradingMBeans;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.engine.StartupFailure;
import io.copytrader.ops.dashboard.DashboardServer;
import io.copytrader.scenario.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What an operator sees, over HTTP on loopback against a running engine and paper venue: the startup banner, the
 * counters from the first scrape, the live dashboard (page, snapshot, event stream) with no secret in it, honest
 * readiness, and the trading figures and the breaker's real configuration in JMX through Jolokia.
 */
@Timeout(120)
class OperatorViewTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void shouldAnnounceTheBoundAddressCountFromZeroAndPushTradesToTheDashboardWithoutSecrets() throws Exception {
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        SecretMaskingOpsTest.PrintedLines printed = new SecretMaskingOpsTest.PrintedLines(root);
        printed.setContext(root.getLoggerContext());
        printed.start();
        root.addAppender(printed);
        int port = Jolokia.freePort();
        EngineHarness.Builder builder = JolokiaHawtioTest.withJolokia(port);
        SecretMaskingOpsTest.SECRETS.forEach(builder::set);
        try (EngineHarness h = builder.start()) {
            String base = "http://127.0.0.1:" + port + "/observe";

            // 1. the banner names the address the server is bound to, never 0.0.0.0
            List<String> lines = new ArrayList<>(printed.lines);
            assertThat(lines).anyMatch(l -> l.contains("Management server on http://127.0.0.1:" + port));
            assertThat(lines).anyMatch(l -> l.contains("http://127.0.0.1:" + port + "/observe/dashboard/"));
            assertThat(lines).noneMatch(l -> l.contains("0.0.0.0"));

            // 2. before any trade: every failure and skip counter is there at 0, every copytrader metric has help text
            String metrics = get(base + "/metrics").body();
            assertThat(metrics).contains("copytrader_trades_failed_total{reason=\"EXCHANGE_RETRIES_EXHAUSTED\"} 0.0",
                    "copytrader_trades_failed_total{reason=\"EXCHANGE_CIRCUIT_OPEN\"} 0.0",
                    "copytrader_trades_skipped_total{reason=\"FILTER_STALE\"} 0.0",
                    "copytrader_feed_rows_rejected_total{reason=\"FEED_MALFORMED_ROW\"} 0.0",
                    "copytrader_trades_dropped_total 0.0", "copytrader_feed_polls_failed_total 0.0",
                    "copytrader_deadletters_pending 0.0");
            for (String line : metrics.split("\n")) {
                if (line.startsWith("# HELP copytrader_")) {
                    assertThat(line.split(" ", 4)).as(line).hasSize(4);
                    assertThat(line.split(" ", 4)[3].trim()).as(line).isNotEmpty();
                }
            }

            // 3. the page: plain HTML and JS from the engine, a strict content security policy, read-only
            HttpResponse<String> page = get(base + "/dashboard/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'none'");
            assertThat(page.body()).contains("dashboard.js", "tile-breaker");
            assertThat(get(base + "/dashboard/dashboard.js").body()).contains("EventSource");
            assertThat(post(base + "/dashboard/events").statusCode()).isNotEqualTo(200);

            // 4. the event stream pushes each trade as it ends, with what the operator needs to read it; nothing
            // ticks while no page is open
            DashboardServer dashboard = h.context().getRegistry().lookupByNameAndType("dashboard", DashboardServer.class);
            assertThat(dashboard.pushing()).isFalse();
            try (EventStream events = new EventStream(base + "/dashboard/events")) {
                await().atMost(EventStream.timeout()).until(dashboard::pushing);
                assertThat(events.response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
                await().atMost(EventStream.timeout()).until(() -> events.last() != null);
                assertThat(events.last().at("/figures/breaker/state").asText()).isEqualTo("CLOSED");
                h.emit(3);
                h.awaitSettled(3, Duration.ofSeconds(20));
                await().atMost(EventStream.timeout()).until(() -> events.trades().size() >= 3);
                JsonNode trade = events.trades().get(0);
                for (String field : List.of("time", "target", "instrument", "side", "size", "price", "outcome", "latencyMs")) {
                    assertThat(trade.hasNonNull(field)).as(field + " in " + trade).isTrue();
                }
                assertThat(trade.path("target").asText()).isEqualTo(EngineHarness.TRADER);
                assertThat(events.trades()).anyMatch(t -> t.path("outcome").asText().equals("COPIED")
                        && t.hasNonNull("ourSize"));
                await().atMost(EventStream.timeout()).untilAsserted(() -> {
                    JsonNode f = events.last().path("figures");
                    assertThat(f.at("/counts/detected").asLong()).isEqualTo(3);
                    assertThat(f.at("/portfolio/positions").size()).isPositive();
                    assertThat(f.at("/detectionLag").size()).isPositive();
                });
                JsonNode f = events.last().path("figures");
                assertThat(f.at("/queue/capacity").asInt()).isEqualTo(100);
                assertThat(f.at("/breaker/slidingWindowSize").asInt()).isEqualTo(5);
                assertThat(f.at("/breaker/waitInOpenStateSeconds").asLong()).isEqualTo(300);
                assertThat(f.at("/portfolio/cash").asText()).matches("-?\\d+\\.\\d{2}");

                // 5. no secret value reaches the page, its scripts, the snapshot or the stream
                List<String> texts = new ArrayList<>(List.of(page.body(), get(base + "/dashboard/dashboard.js").body(),
                        get(base + "/dashboard/dashboard.css").body(), get(base + "/dashboard/snapshot").body(),
                        events.raw()));
                for (Map.Entry<String, String> secret : SecretMaskingOpsTest.SECRETS.entrySet()) {
                    for (String text : texts) {
                        assertThat(text).as(secret.getKey()).doesNotContain(secret.getValue());
                    }
                }
            }
            // 6. the last page closed: the push stops; a page opened again gets updates again
            await().atMost(EventStream.timeout()).until(() -> !dashboard.pushing() && dashboard.clients() == 0);
            try (EventStream again = new EventStream(base + "/dashboard/events")) {
                long before = again.updates.size();
                await().atMost(EventStream.timeout()).until(() -> again.updates.size() > before + 1);
                assertThat(dashboard.pushing()).isTrue();
            }
        } finally {
            root.detachAppender(printed);
        }
    }

    @Test
    void shouldReportNotReadyWithTheReasonWhileTheBreakerIsOpenOrTheFeedFailsAndShowItInJmx() throws Exception {
        int port = Jolokia.freePort();
        try (EngineHarness h = JolokiaHawtioTest.withJolokia(port)
                .set("copytrader.queue.concurrent-trades", 1)
                .set("copytrader.breaker.max-consecutive-failures", 3)
                .set("copytrader.exchange.max-retries", 0)
                .set("copytrader.health.feed-failures", 5)
                .start()) {
            String base = "http://127.0.0.1:" + port + "/observe";
            Jolokia jolokia = new Jolokia(port);
            assertThat(get(base + "/health/ready").statusCode()).isEqualTo(200);

            // 1. the breaker's processor MBean (where Hawtio reads it) shows the configuration it really runs with
            String processor = JolokiaHawtioTest.mbean(jolokia, "org.apache.camel:type=processors,*", "order-circuit-breaker");
            assertThat(jolokia.read(processor, "CircuitBreakerFailureRateThreshold").path("value").asDouble()).isEqualTo(100.0);
            assertThat(jolokia.read(processor, "CircuitBreakerSlidingWindowSize").path("value").asInt()).isEqualTo(3);
            assertThat(jolokia.read(processor, "CircuitBreakerMinimumNumberOfCalls").path("value").asInt()).isEqualTo(3);
            assertThat(jolokia.read(processor, "CircuitBreakerWaitDurationInOpenState").path("value").asLong()).isEqualTo(300);
            assertThat(jolokia.read(TradingMBeans.BREAKER, "SlidingWindowSize").path("value").asInt()).isEqualTo(3);

            // 2. trades copied: the figures show in JMX
            h.emit(2);
            h.awaitSettled(2, Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(jolokia.read(TradingMBeans.TRADING, "TradesCopied").path("value").asLong()).isEqualTo(2));
            assertThat(jolokia.read(TradingMBeans.TRADING, "ExposureUsd").path("value").asDouble()).isPositive();

            // 3. every order fails: the breaker opens; readiness DOWN with the reason, liveness still UP
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.HTTP_5XX, 1.0));
            h.emit(6);
            h.awaitSettled(8, Duration.ofSeconds(20));
            assertThat(h.breaker().getState().name()).isEqualTo("OPEN");
            HttpResponse<String> ready = get(base + "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonNode readyBody = JSON.readTree(ready.body());
            assertThat(readyBody.path("status").asText()).isEqualTo("DOWN");
            assertThat(readyBody.toString()).contains("order-circuit-breaker", "circuit breaker OPEN after 3");
            HttpResponse<String> live = get(base + "/health/live");
            assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
            assertThat(get(base + "/health").statusCode()).isEqualTo(503);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(jolokia.read(TradingMBeans.TRADING, "CircuitState").path("value").asText()).isEqualTo("OPEN");
                assertThat(jolokia.read(TradingMBeans.TRADING, "DeadLettersPending").path("value").asLong())
                        .isEqualTo(h.outcomes(TradeOutcome.FAILED));
            });

            // 4. the breaker closed again (as after its cooldown), the feed down: DOWN once 5 polls failed in a row
            h.breaker().transitionToClosedState();
            h.admin().clearFaults();
            assertThat(get(base + "/health/ready").statusCode()).isEqualTo(200);
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.FEED_OUTAGE, 1.0));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                HttpResponse<String> r = get(base + "/health/ready");
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).contains("trade-feed", "feed of " + EngineHarness.TRADER + " failed");
            });
            assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);

            // 5. the feed back: one good poll and readiness is UP again
            h.admin().clearFaults();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(get(base + "/health/ready").statusCode()).isEqualTo(200));
        }
    }

    @Test
    void shouldReportNotReadyWhileDetectionHasStoppedTicking() throws Exception {
        int port = Jolokia.freePort();
        try (EngineHarness h = JolokiaHawtioTest.withJolokia(port)
                .set("copytrader.health.detection-stall-ms", 1500)
                .start()) {
            String base = "http://127.0.0.1:" + port + "/observe";
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(get(base + "/health/ready").statusCode()).isEqualTo(200));

            // 1. detection stops ticking (as when its timer's thread dies or a poll hangs): no poll fails, yet
            //    readiness goes DOWN once the stall bound has passed, with the reason; liveness stays UP
            h.context().getRouteController().stopRoute("tick-traders");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                HttpResponse<String> r = get(base + "/health/ready");
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).contains("trade-feed", "detection has not polled for", "stalled after 1500 ms");
            });
            assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);

            // 2. ticking again: UP at the next tick
            h.context().getRouteController().startRoute("tick-traders");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(get(base + "/health/ready").statusCode()).isEqualTo(200));
        }
    }

    @Test
    void shouldRefuseToStartWithADetectionStallBoundThatIsNotAWholeNumberOfMilliseconds() {
        StartupFailure.take();
        assertThatThrownBy(() -> JolokiaHawtioTest.withJolokia(Jolokia.freePort())
                .set("copytrader.health.detection-stall-ms", "5s")
                .start()).isInstanceOf(RuntimeException.class);
        RuntimeException refused = StartupFailure.take();
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).isEqualTo("HEALTH_DETECTION_STALL_MS (copytrader.health.detection-stall-ms) "
                + "must be a whole number in [1000, 86400000], but was '5s'");
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}

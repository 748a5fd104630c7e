package io.copytrader.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.scenario.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What Hawtio sees: the engine's JMX beans read through Jolokia over HTTP on loopback, under the shipped
 * jolokia-access.xml policy.
 */
@Timeout(60)
class JolokiaHawtioTest {
    static final List<String> ROUTES = List.of("tick-traders", "detect-trades", "copy-trade", "dispatch-orders", "place-order", "send-order", "submit-order",
            "monitor-orders", "dead-letters", "requeue-trades", "detect-chain", "aggregate-fills");

    static EngineHarness.Builder withJolokia(int port) {
        return EngineHarness.builder()
                .set("camel.management.enabled", true)
                .set("camel.management.port", port)
                .set("camel.main.jmx-enabled", true);
    }

    @Test
    void shouldShowRoutesQueueDepthAndBreakerStateThroughJolokia() {
        int port = Jolokia.freePort();
        try (EngineHarness h = withJolokia(port)
                .set("copytrader.queue.concurrent-trades", 1)
                .set("copytrader.breaker.max-consecutive-failures", 3)
                .set("copytrader.exchange.max-retries", 0)
                .start()) {
            Jolokia jolokia = new Jolokia(port);

            // 1. the routes, by id, as Hawtio's Camel tree lists them
            JsonNode routes = jolokia.get("/read/org.apache.camel:type=routes,*/RouteId,State");
            assertThat(routes.path("status").asInt()).as(routes.toString()).isEqualTo(200);
            List<String> ids = new ArrayList<>();
            routes.path("value").forEach(attrs -> ids.add(attrs.path("RouteId").asText()));
            assertThat(ids).containsExactlyInAnyOrderElementsOf(ROUTES);
            routes.path("value").forEach(attrs -> assertThat(attrs.path("State").asText()).isEqualTo("Started"));

            // 2. the copy queue's depth, on the SEDA endpoint's MBean
            String seda = mbean(jolokia, "org.apache.camel:type=endpoints,*", "seda://copy-trade");
            JsonNode depth = jolokia.read(seda, "CurrentQueueSize");
            assertThat(depth.path("status").asInt()).as(depth.toString()).isEqualTo(200);
            assertThat(depth.path("value").asInt()).isZero();

            // 3. the breaker's state, on the circuit breaker processor's MBean: CLOSED, then OPEN once every order fails
            String breaker = mbean(jolokia, "org.apache.camel:type=processors,*", "order-circuit-breaker");
            assertThat(jolokia.read(breaker, "CircuitBreakerState").path("value").asText()).isEqualTo("CLOSED");
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.HTTP_5XX, 1.0));
            h.emit(10);
            h.awaitSettled(10, Duration.ofSeconds(20));
            assertThat(h.outcomes(TradeOutcome.FAILED)).isPositive();
            assertThat(jolokia.read(breaker, "CircuitBreakerState").path("value").asText()).isEqualTo("OPEN");
        }
    }

    @Test
    void shouldRefuseWritesAndStateChangingOperationsButAllowDumps() {
        int port = Jolokia.freePort();
        try (EngineHarness h = withJolokia(port).start()) {
            Jolokia jolokia = new Jolokia(port);
            String route = mbean(jolokia, "org.apache.camel:type=routes,*", "detect-trades");

            // a dump (Hawtio's route diagram) is allowed
            JsonNode dump = jolokia.post("{\"type\":\"exec\",\"mbean\":" + Jolokia.quote(route) + ",\"operation\":\"dumpRouteAsXml()\"}");
            assertThat(dump.path("status").asInt()).as(dump.toString()).isEqualTo(200);
            assertThat(dump.path("value").asText()).contains("detect-trades");

            // a thread dump (Hawtio's Runtime > Threads: dumpAllThreads with its parameter list) and deadlock
            // detection are allowed
            JsonNode threads = jolokia.post("{\"type\":\"exec\",\"mbean\":\"java.lang:type=Threading\","
                    + "\"operation\":\"dumpAllThreads(boolean,boolean)\",\"arguments\":[false,false]}");
            assertThat(threads.path("status").asInt()).as(threads.toString()).isEqualTo(200);
            assertThat(threads.path("value").toString()).contains("threadName", "main");
            JsonNode deadlocks = jolokia.post("{\"type\":\"exec\",\"mbean\":\"java.lang:type=Threading\","
                    + "\"operation\":\"findDeadlockedThreads()\"}");
            assertThat(deadlocks.path("status").asInt()).as(deadlocks.toString()).isEqualTo(200);
            assertThat(deadlocks.path("value").isNull()).as("no deadlock: " + deadlocks).isTrue();
            // but no write on the threading bean either
            JsonNode contention = jolokia.post("{\"type\":\"write\",\"mbean\":\"java.lang:type=Threading\","
                    + "\"attribute\":\"ThreadContentionMonitoringEnabled\",\"value\":true}");
            assertThat(contention.path("status").asInt()).as(contention.toString()).isEqualTo(403);

            // stopping a route, or writing an attribute, is not
            JsonNode stop = jolokia.post("{\"type\":\"exec\",\"mbean\":" + Jolokia.quote(route) + ",\"operation\":\"stop()\"}");
            assertThat(stop.path("status").asInt()).as(stop.toString()).isEqualTo(403);
            JsonNode write = jolokia.post("{\"type\":\"write\",\"mbean\":" + Jolokia.quote(route)
                    + ",\"attribute\":\"Tracing\",\"value\":true}");
            assertThat(write.path("status").asInt()).as(write.toString()).isEqualTo(403);
            assertThat(h.context().getRouteController().getRouteStatus("detect-trades").isStarted()).isTrue();

            // the JVM's command line (where -D secrets would be) is not readable
            JsonNode sys = jolokia.read("java.lang:type=Runtime", "SystemProperties");
            assertThat(sys.path("status").asInt()).as(sys.toString()).isEqualTo(403);

            // a web page from another origin may not read the answers: no CORS header allows it
            assertThat(jolokia.getRaw("/version", "http://evil.example").headers()
                    .firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    /** The name of the one MBean matching the pattern whose name contains {@code part}. */
    static String mbean(Jolokia jolokia, String pattern, String part) {
        return await().atMost(Duration.ofSeconds(5)).until(() -> {
            JsonNode found = jolokia.get("/search/" + pattern);
            for (JsonNode n : found.path("value")) {
                if (n.asText().contains(part)) {
                    return n.asText();
                }
            }
            return null;
        }, n -> n != null);
    }

}

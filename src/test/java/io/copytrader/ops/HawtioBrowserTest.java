package io.copytrader.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.scenario.EngineHarness;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Hawtio 2.17.7 (hawtio-app from Maven Central, copied to target/hawtio by the build, run as its own process) in
 * headless Chromium, connected to a running engine's Jolokia: the CopyTrader figures in the JMX tab, the breaker's
 * real configuration, and Runtime > Threads filled by a thread dump. Screenshot: target/hawtio-figures.png.
 */
@Timeout(300)
class HawtioBrowserTest {

    @Test
    void shouldShowTheTradingFiguresTheBreakerAndAThreadDumpInHawtio() throws Exception {
        BrowserScript.requireBrowser();
        Path jar = Path.of("target/hawtio/hawtio-app.jar");
        if (!Files.isRegularFile(jar)) {
            String message = jar + " missing: the build copies it (maven-dependency-plugin, generate-test-resources)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        int port = Jolokia.freePort();
        int hawtioPort = Jolokia.freePort();
        Path screenshot = Path.of("target/hawtio-figures.png").toAbsolutePath();
        Path work = Files.createTempDirectory("hawtio-");
        Process hawtio = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", jar.toAbsolutePath().toString(), "--port", String.valueOf(hawtioPort))
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("hawtio.log").toFile())
                .start();
        try (EngineHarness h = JolokiaHawtioTest.withJolokia(port).set("copytrader.breaker.max-consecutive-failures", 4)
                .start()) {
            h.emit(3);
            h.awaitSettled(3, Duration.ofSeconds(30));
            String base = "http://127.0.0.1:" + hawtioPort;
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(URI.create(base + "/hawtio/")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

            JsonNode seen = BrowserScript.run("hawtio-check.cjs", 280, base, String.valueOf(port), screenshot.toString());

            assertThat(seen.path("error").isMissingNode()).as(seen.toString()).isTrue();
            assertThat(seen.path("figures").asText()).contains("io.copytrader", "Trades copied", "Cash usd",
                    "Exposure cap usd", "Dead letters pending", "Circuit state");
            assertThat(seen.path("breaker").asText()).contains("Failure rate threshold percent", "Sliding window size",
                    "Wait in open state seconds", "300");
            assertThat(seen.path("threads").asText()).contains("copytrader-fill-window-checker", "detect-trades");
            assertThat(screenshot).isRegularFile();
        } finally {
            hawtio.destroy();
            if (!hawtio.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                hawtio.destroyForcibly();
            }
        }
    }
}

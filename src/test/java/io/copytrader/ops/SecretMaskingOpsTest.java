package io.copytrader.ops;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.scenario.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Known secret values, given the way the app reads them (the copytrader.polymarket.* properties the POLY_* variables
 * map to, and a password property of the user's own, outside copytrader.*, which the masker knows by its name),
 * appear in no log line as printed (startup summaries included), no dead letter, no metric,
 * no JMX attribute readable through Jolokia.
 */
@Timeout(60)
class SecretMaskingOpsTest {
    static final Map<String, String> SECRETS = Map.of(
            "copytrader.polymarket.private-key", "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
            "copytrader.polymarket.api-key", "apikey-0f8e3c1d-must-not-leak",
            "copytrader.polymarket.api-secret", "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw==",
            "copytrader.polymarket.passphrase", "passphrase-7d2b-must-not-leak",
            "reporting.db.password", "db-password-5e1a-must-not-leak");

    /** Every event, rendered by the encoder of the real STDOUT appender (so the masking converters apply). */
    static final class PrintedLines extends AppenderBase<ILoggingEvent> {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Encoder<ILoggingEvent> encoder;

        @SuppressWarnings("unchecked")
        PrintedLines(Logger root) {
            encoder = ((OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT")).getEncoder();
        }

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldKeepSecretValuesOutOfLogsSummariesDeadLettersMetricsAndJmx() throws Exception {
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        PrintedLines printed = new PrintedLines(root);
        printed.setContext(root.getLoggerContext());
        printed.start();
        root.addAppender(printed);
        int port = Jolokia.freePort();
        EngineHarness.Builder builder = JolokiaHawtioTest.withJolokia(port)
                .set("copytrader.breaker.max-consecutive-failures", 3)
                .set("copytrader.exchange.max-retries", 0);
        SECRETS.forEach(builder::set);
        List<String> texts = new ArrayList<>();
        try (EngineHarness h = builder.start()) {
            // 1. trades fail (the venue answers 500) so dead letters and failure logs exist, and the breaker opens
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.HTTP_5XX, 1.0));
            h.emit(10);
            h.awaitSettled(10, Duration.ofSeconds(20));
            assertThat(h.outcomes(TradeOutcome.FAILED)).isPositive();

            // 2. a secret logged by mistake is masked by the logback safety net
            LoggerFactory.getLogger("test").warn("oops {} and {}", SECRETS.get("copytrader.polymarket.api-secret"),
                    SECRETS.get("reporting.db.password"), new IllegalStateException(
                            "bad key " + SECRETS.get("copytrader.polymarket.private-key")));

            h.store().deadLetters().forEach(d -> texts.add(d.toString()));
            texts.add(get("http://127.0.0.1:" + port + "/observe/metrics"));
            JsonNode jmx = new Jolokia(port).get("/read/org.apache.camel:*");
            assertThat(jmx.path("status").asInt()).isEqualTo(200);
            texts.add(jmx.toString());
        } finally {
            root.detachAppender(printed);
        }
        texts.addAll(printed.lines);

        String all = String.join("\n", printed.lines);
        assertThat(all).contains("Property-placeholders summary", "Auto-configuration summary");
        assertThat(all).as("the summaries list the secret properties, masked")
                .contains("copytrader.polymarket.api-secret = xxxxxx", "copytrader.polymarket.private-key = xxxxxx");
        assertThat(all).contains("oops **** and ****", "bad key ****");
        assertThat(texts).hasSizeGreaterThan(50);
        for (String text : texts) {
            for (String secret : SECRETS.values()) {
                assertThat(text).doesNotContain(secret).doesNotContain(secret.replaceFirst("^0x", ""));
            }
        }
    }

    static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}

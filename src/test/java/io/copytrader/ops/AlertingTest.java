package io.copytrader.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.copytrader.scenario.EngineHarness;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The alerting shipped under monitoring/: the Prometheus rules pass promtool's checks and their unit tests, the
 * Alertmanager example passes amtool's check, and every metric the Grafana dashboard and the rules name is one a
 * running engine serves on /observe/metrics from its start.
 */
@Timeout(120)
class AlertingTest {
    static final Path MONITORING = Path.of("monitoring");
    private static final Pattern METRIC = Pattern.compile("\\bcopytrader_[a-z0-9_]+");

    @Test
    void shouldPassPromtoolChecksAndTheRulesUnitTests() throws Exception {
        String promtool = tool("PROMTOOL_BIN", "promtool", "prometheus");
        Path dir = MONITORING.resolve("prometheus");
        assertThat(run(dir, promtool, "check", "rules", "copytrader-rules.yml")).contains("SUCCESS: 9 rules found");
        assertThat(run(dir, promtool, "test", "rules", "copytrader-rules.test.yml")).contains("SUCCESS");
        assertThat(run(dir, promtool, "check", "config", "prometheus.yml")).contains("SUCCESS");
    }

    @Test
    void shouldShipAValidAlertmanagerExampleRoutingToSlackAndPagerDuty() throws Exception {
        String amtool = tool("AMTOOL_BIN", "amtool", "prometheus-alertmanager");
        Path config = MONITORING.resolve("alertmanager/alertmanager.yml");
        String out = run(Path.of("."), amtool, "check-config", config.toString());
        assertThat(out).contains("SUCCESS", "2 receivers");
        assertThat(Files.readString(config)).contains("pagerduty_configs", "slack_configs", "routing_key_file", "api_url_file");
    }

    @Test
    void shouldNameOnlyMetricsTheEngineServesInTheGrafanaDashboardAndTheRules() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana/copytrader-dashboard.json").toFile());
        Set<String> names = new TreeSet<>();
        dashboard.findValues("expr").forEach(e -> names.addAll(metricNames(e.asText())));
        dashboard.findValues("query").forEach(e -> names.addAll(metricNames(e.asText())));
        int fromDashboard = names.size();
        names.addAll(metricNames(Files.readString(MONITORING.resolve("prometheus/copytrader-rules.yml"))));
        assertThat(fromDashboard).isGreaterThanOrEqualTo(10);

        int port = Jolokia.freePort();
        try (EngineHarness h = JolokiaHawtioTest.withJolokia(port).start()) {
            // nothing has happened yet: every name must be served from the start
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/observe/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Set<String> served = new TreeSet<>();
            for (String line : metrics.split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    served.add(line.split("[{ ]", 2)[0]);
                }
            }
            List<String> missing = new ArrayList<>(names);
            missing.removeAll(served);
            assertThat(missing).as("named in monitoring/ but not served by the engine").isEmpty();
            assertThat(served).as("the JVM's and the process's figures").contains("jvm_memory_used_bytes",
                    "jvm_gc_max_data_size_bytes", "jvm_threads_live_threads", "process_cpu_usage", "system_cpu_count");
        }
    }

    static Set<String> metricNames(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** The tool's path; skipped locally, failed in CI (CI=true), when it is not installed. */
    static String tool(String env, String name, String debianPackage) {
        for (String candidate : new String[] {System.getenv(env), "/usr/bin/" + name, "/usr/local/bin/" + name}) {
            if (candidate != null && !candidate.isBlank() && Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        String message = name + " not found (Debian package " + debianPackage + "; .ci/setup.d/40-chromium.sh installs it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
        return null;
    }

    static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ":\n" + text).isZero();
        return text;
    }
}

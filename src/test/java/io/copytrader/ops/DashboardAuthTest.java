package io.copytrader.ops;

import io.copytrader.scenario.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard sits behind the management server's own authentication: with basic authentication enabled
 * (README, "Exposing the management port safely"), its page, snapshot and stream answer 401 without credentials,
 * like /observe/metrics, and serve with them.
 */
@Timeout(120)
class DashboardAuthTest {

    @Test
    void shouldRequireTheManagementServersCredentials(@TempDir Path dir) throws Exception {
        Path users = dir.resolve("management-users.properties");
        Files.writeString(users, "user.operator = s3cret-for-test,viewer\n", StandardCharsets.UTF_8);
        int port = Jolokia.freePort();
        try (EngineHarness h = JolokiaHawtioTest.withJolokia(port)
                .set("camel.management.authentication-enabled", true)
                .set("camel.management.basic-properties-file", users.toString())
                .start()) {
            String base = "http://127.0.0.1:" + port + "/observe";
            HttpClient http = HttpClient.newHttpClient();
            String good = "Basic " + Base64.getEncoder().encodeToString("operator:s3cret-for-test".getBytes(StandardCharsets.UTF_8));
            String bad = "Basic " + Base64.getEncoder().encodeToString("operator:wrong".getBytes(StandardCharsets.UTF_8));
            for (String path : List.of("/dashboard/", "/dashboard/dashboard.js", "/dashboard/snapshot", "/metrics")) {
                assertThat(status(http, base + path, null)).as(path + " without credentials").isEqualTo(401);
                assertThat(status(http, base + path, bad)).as(path + " with a wrong password").isEqualTo(401);
                assertThat(status(http, base + path, good)).as(path + " with credentials").isEqualTo(200);
            }
        }
    }

    private static int status(HttpClient http, String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

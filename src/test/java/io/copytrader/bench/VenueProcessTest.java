package io.copytrader.bench;

import io.copytrader.cli.PaperVenueCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bench's paper venue runs in a process of its own; a bench that ends without closing it (SIGKILL, a crash of its
 * JVM: no shutdown hook runs) must not leave it serving behind it.
 */
class VenueProcessTest {

    @Test
    void theVenueStopsWhenTheProcessThatStartedItIsKilled() throws Exception {
        Process parent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                VenueProcessParent.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long venuePid = -1;
        try {
            String line;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                    StandardCharsets.UTF_8))) {
                do {
                    line = out.readLine();
                } while (line != null && !line.startsWith("VENUE "));
                assertThat(line).as("the parent's report of the venue it started").isNotNull();
                String[] parts = line.split(" ");
                venuePid = Long.parseLong(parts[1]);
                HttpResponse<String> health = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(parts[2] + "/health")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).as("the venue serves while its parent lives").isEqualTo(200);

                parent.toHandle().destroyForcibly(); // SIGKILL: the parent closes nothing
                assertThat(parent.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            long pid = venuePid;
            await("the venue process ends after its parent was killed").atMost(Duration.ofSeconds(30))
                    .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
        } finally {
            parent.destroyForcibly();
            if (venuePid > 0) {
                ProcessHandle.of(venuePid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aVenueToStopWithAProcessThatIsNotRunningDoesNotStart() throws Exception {
        Process ended = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(ended.waitFor(30, TimeUnit.SECONDS)).isTrue();

        int exit = new CommandLine(new PaperVenueCommand()).execute("--stop-with-pid", Long.toString(ended.pid()));

        assertThat(exit).isEqualTo(1);
    }
}

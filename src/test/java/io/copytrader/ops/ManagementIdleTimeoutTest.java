package io.copytrader.ops;

import io.copytrader.scenario.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The management server closes a connection on which nothing moved for MANAGEMENT_IDLE_TIMEOUT_S: clients that never
 * finish their request's head, or send nothing at all, no longer hold a connection and a file descriptor of the engine
 * for as long as they like. The dashboard's event stream, written to every 250 ms, is never idle and stays open.
 */
@Timeout(120)
class ManagementIdleTimeoutTest {

    @Test
    void shouldCloseConnectionsThatNeverFinishTheirRequestButKeepTheDashboardStream() throws Exception {
        int port = Jolokia.freePort();
        try (EngineHarness h = JolokiaHawtioTest.withJolokia(port)
                .set("copytrader.management.idle-timeout-s", 1)
                .start()) {
            String base = "http://127.0.0.1:" + port + "/observe";
            try (EventStream stream = new EventStream(base + "/dashboard/events")) {
                List<Socket> stalled = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                    if (i % 2 == 0) {
                        // half a request head, never finished
                        s.getOutputStream().write("GET /observe/health HTTP/1.1\r\nHost: x\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                    } // the others send nothing at all
                    stalled.add(s);
                }
                int updatesBefore = stream.updates.size();
                for (Socket s : stalled) {
                    try (s) {
                        // the server ends the connection: end of stream (or a reset) well before 15 s
                        s.setSoTimeout(15_000);
                        assertThat(readToEnd(s.getInputStream())).as("bytes the server sent before closing").isZero();
                    }
                }
                // the stream outlived the idle timeout: still open and still pushed to
                await().atMost(Duration.ofSeconds(10)).until(() -> stream.updates.size() >= updatesBefore + 8);
                assertThat(stream.raw()).contains("event: update");
                // and the server answers new clients as before
                HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        base + "/health")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
            }
        }
    }

    private static int readToEnd(InputStream in) throws Exception {
        int n = 0;
        try {
            while (in.read() >= 0) {
                n++;
            }
        } catch (SocketException reset) {
            // closed by the server with a reset: ended all the same
        }
        return n;
    }
}

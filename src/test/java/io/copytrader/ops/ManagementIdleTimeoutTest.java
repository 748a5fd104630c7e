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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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

    /**
     * A client that trickles its request a byte now and then. Its head was cut by the idle timeout already (Vert.x
     * counts a connection active when a whole head or a piece of body has been decoded, not at each byte), but each
     * byte of a body is decoded on its own, so a body sent a byte every 100 ms held its connection for as long as the
     * client liked. Now a request's body must arrive whole within the timeout from its head, and the connection is
     * closed while the client is still sending; a keep-alive client that asks and reads is served as before.
     */
    @Test
    void shouldCloseConnectionsThatTrickleTheirRequest() throws Exception {
        int port = Jolokia.freePort();
        try (EngineHarness h = JolokiaHawtioTest.withJolokia(port)
                .set("copytrader.management.idle-timeout-s", 1)
                .start()) {
            ScheduledExecutorService pace = Executors.newScheduledThreadPool(2);
            try {
                // a head that never ends: a header line's bytes one at a time
                Trickle head = new Trickle(port, "GET /observe/health HTTP/1.1\r\nHost: x\r\n",
                        "X-Pad: " + "a".repeat(10_000), pace);
                // a whole head announcing a body of 10,000 bytes, sent a byte at a time
                Trickle body = new Trickle(port, "POST /observe/jolokia HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n",
                        "{".repeat(10_000), pace);
                for (Trickle t : List.of(head, body)) {
                    try (t) {
                        t.socket.setSoTimeout(15_000);
                        readToEnd(t.socket.getInputStream());
                        // ended by the server while the client was still sending, well within the 15 s
                        assertThat(t.sent.get()).as("bytes trickled before the server closed").isGreaterThan(3)
                                .isLessThan(10_000);
                    }
                }
            } finally {
                pace.shutdownNow();
            }
            // a keep-alive client that asks, reads and asks again is served on the same connection
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int i = 0; i < 3; i++) {
                assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/observe/health")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            }
        }
    }

    /**
     * At most MANAGEMENT_MAX_CONNECTIONS at a time: one more is closed as it opens (long before the idle timeout),
     * and once one of the others is gone the server takes a new client again.
     */
    @Test
    void shouldCloseAConnectionOverTheCapAsItOpens() throws Exception {
        int port = Jolokia.freePort();
        try (EngineHarness h = JolokiaHawtioTest.withJolokia(port)
                .set("copytrader.management.idle-timeout-s", 60)
                .set("copytrader.management.max-connections", 3)
                .start()) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(startedRequest(port));
                }
                // the server counts a connection once its first request's head came (Vert.x tells the engine of a
                // connection then): a fourth is refused once all three are in
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    try (Socket over = startedRequest(port)) {
                        over.setSoTimeout(3_000);
                        return readToEnd(over.getInputStream()) == 0;
                    } catch (java.net.SocketTimeoutException stillOpen) {
                        return false;
                    }
                });
                try (Socket over = startedRequest(port)) {
                    over.setSoTimeout(5_000); // closed at once, not after the 60 s idle timeout
                    assertThat(readToEnd(over.getInputStream())).as("bytes answered over the cap").isZero();
                }
                held.remove(0).close();
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health"))
                                .timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    /** A connection on which a request's whole head was sent, announcing a body that has not come yet. */
    private static Socket startedRequest(int port) throws java.io.IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.getOutputStream().write(("POST /observe/jolokia HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /** A client that sends its first part at once, then the rest a byte every 100 ms until it is closed. */
    private static final class Trickle implements AutoCloseable {
        final Socket socket;
        final java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.ScheduledFuture<?> task;

        Trickle(int port, String first, String rest, ScheduledExecutorService pace) throws Exception {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            OutputStream out = socket.getOutputStream();
            out.write(first.getBytes(StandardCharsets.US_ASCII));
            byte[] bytes = rest.getBytes(StandardCharsets.US_ASCII);
            task = pace.scheduleAtFixedRate(() -> {
                int i = sent.get();
                if (i >= bytes.length) {
                    return;
                }
                try {
                    out.write(bytes[i]);
                    out.flush();
                    sent.incrementAndGet();
                } catch (java.io.IOException closed) {
                    throw new java.io.UncheckedIOException(closed); // ends the task
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws Exception {
            task.cancel(true);
            socket.close();
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

package io.copytrader.venue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The venue client against a real HTTP server on loopback, including a server that answers nothing. */
@Timeout(30)
class ApacheVenueHttpClientTest {

    private HttpServer server;
    private String base;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger limited = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger held = new AtomicInteger();
    private final List<Integer> ports = new CopyOnWriteArrayList<>();
    private final List<String> cookies = new CopyOnWriteArrayList<>();
    private final ApacheVenueHttpClient client = new ApacheVenueHttpClient(Duration.ofSeconds(2), Duration.ofMillis(500), 4);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/hold", e -> {
            held.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            reply(e, 200, "released");
        });
        server.createContext("/echo", e -> {
            String body = new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(e.getRequestMethod() + " " + e.getRequestHeaders().getFirst("Content-Type") + " " + body);
            e.getResponseHeaders().add("X-Venue-Id", "A");
            e.getResponseHeaders().add("X-Venue-Id", "B");
            e.getResponseHeaders().add("Content-Type", "application/json");
            reply(e, 200, "{\"market\":\"Élection 2028 – oui\"}");
        });
        server.createContext("/port", e -> {
            ports.add(e.getRemoteAddress().getPort());
            cookies.add(String.valueOf(e.getRequestHeaders().getFirst("Cookie")));
            e.getResponseHeaders().add("Set-Cookie", "session=abc; Path=/");
            reply(e, 200, "ok");
        });
        server.createContext("/limited", e -> {
            limited.incrementAndGet();
            e.getResponseHeaders().add("Retry-After", "1");
            reply(e, 429, "slow down");
        });
        server.createContext("/moved", e -> {
            e.getResponseHeaders().add("Location", base + "/echo");
            reply(e, 302, "");
        });
        server.createContext("/long", e -> {
            // ?n bytes, with their length declared, or chunked when ?chunked
            boolean chunked = e.getRequestURI().getQuery().contains("chunked");
            long n = Long.parseLong(e.getRequestURI().getQuery().replaceAll("\\D", ""));
            e.sendResponseHeaders(200, chunked ? 0 : n);
            try (OutputStream out = e.getResponseBody()) {
                byte[] block = "x".repeat((int) Math.min(n, 65536)).getBytes(StandardCharsets.US_ASCII);
                for (long left = n; left > 0; left -= block.length) {
                    out.write(block, 0, (int) Math.min(left, block.length));
                }
            } catch (IOException closedByTheClient) {
                // the client stopped reading
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        release.countDown();
        client.close();
        server.stop(0);
    }

    private static void reply(HttpExchange e, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        e.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** What a raw server writes after reading a request. */
    private interface Answer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Accepts one connection on {@code server}, reads the request and writes {@code answer}, on a thread of its own
     * (started); the connection closes when the answer ends, or when the client hangs up.
     */
    private static Thread answerOnce(ServerSocket server, Answer answer) {
        Thread answering = new Thread(() -> {
            try (Socket s = server.accept()) {
                s.getInputStream().read(new byte[8192]);
                answer.write(s.getOutputStream());
            } catch (IOException hungUp) {
                // the client went first, or stopped reading
            }
        });
        answering.start();
        return answering;
    }

    @Test
    void shouldServeCallsAgainAfterItsPoolWasShutDownUnderIt() throws Exception {
        assertThat(client.execute(HttpCall.get(base + "/echo")).status()).isEqualTo(200);
        // the pool shut down as Apache's minimal client shuts it down when an Error passes through a call (a stack
        // overflow on the caller's thread: a feed poll deep in Camel's routing met one under load)
        java.lang.reflect.Field field = ApacheVenueHttpClient.class.getDeclaredField("pool");
        field.setAccessible(true);
        Object pool = field.get(client);
        java.lang.reflect.Method connections = pool.getClass().getDeclaredMethod("connections");
        connections.setAccessible(true);
        ((org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager) connections.invoke(pool)).close();

        // the call that meets it fails as a transient failure; the next ones are served (before: every later call
        // failed with "Connection pool shut down", and the feed and the monitor stopped for good)
        assertThatThrownBy(() -> client.execute(HttpCall.get(base + "/echo"))).isInstanceOf(IOException.class)
                .hasMessageContaining("a new one is in place");
        assertThat(client.execute(HttpCall.get(base + "/echo")).status()).isEqualTo(200);
        assertThat(client.execute(HttpCall.get(base + "/echo")).status()).isEqualTo(200);
    }

    @Test
    void shouldSendTheCallAndReadTheAnswerAsUtf8WithLowerCaseHeaderNames() throws IOException {
        HttpReply get = client.execute(HttpCall.get(base + "/echo"));
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("{\"market\":\"Élection 2028 – oui\"}");
        assertThat(get.headers()).containsEntry("x-venue-id", "A").containsEntry("content-type", "application/json");

        HttpReply post = client.execute(HttpCall.postJson(base + "/echo", "{\"size\":\"1.5\",\"note\":\"é\"}"));
        assertThat(post.status()).isEqualTo(200);
        assertThat(received).containsExactly("GET null ", "POST application/json {\"size\":\"1.5\",\"note\":\"é\"}");
    }

    @Test
    void shouldReadAnAnswerUpToItsLimitAndRefuseALongerOneWithoutReadingIt() throws IOException {
        try (ApacheVenueHttpClient small = new ApacheVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5), 2, 1000)) {
            assertThat(small.execute(HttpCall.get(base + "/long?n=1000")).body()).hasSize(1000);
            assertThat(small.execute(HttpCall.get(base + "/long?chunked&n=1000")).body()).hasSize(1000);
            assertThatThrownBy(() -> small.execute(HttpCall.get(base + "/long?n=1001"))).isInstanceOf(IOException.class)
                    .hasMessage("the answer's 1001 bytes are more than the 1000 read");
            // an answer that does not end (1 TB here) is cut, not read to its end
            assertThatThrownBy(() -> small.execute(HttpCall.get(base + "/long?chunked&n=1000000000000")))
                    .isInstanceOf(IOException.class).hasMessage("the answer is longer than the 1000 bytes read");
            assertThat(small.execute(HttpCall.get(base + "/echo")).status()).as("the client goes on").isEqualTo(200);
        }
    }

    @Test
    void shouldHandARateLimitOrARedirectToTheCallerAsItCame() throws IOException {
        HttpReply limitedReply = client.execute(HttpCall.get(base + "/limited"));
        assertThat(limitedReply.status()).isEqualTo(429);
        assertThat(limitedReply.headers()).containsEntry("retry-after", "1");
        assertThat(limited).as("requests the server saw: no retry of our own").hasValue(1);

        HttpReply moved = client.execute(HttpCall.get(base + "/moved"));
        assertThat(moved.status()).isEqualTo(302);
        assertThat(received).as("the redirect was not followed").isEmpty();
    }

    @Test
    void shouldFailWithAnIoExceptionWhenTheServerAcceptsButNeverAnswers() throws Exception {
        CountDownLatch accepted = new CountDownLatch(1);
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket s = silent.accept()) {
                    accepted.countDown();
                    s.getInputStream().readAllBytes(); // reads the request, answers nothing
                } catch (IOException ignored) {
                    // the client gave up
                }
            });
            acceptor.start();
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/never";
            assertThatThrownBy(() -> client.execute(HttpCall.get(url))).isInstanceOf(IOException.class);
            assertThat(accepted.getCount()).isZero();
            acceptor.join(5000);
        }
    }

    @Test
    void shouldFailWithAnIoExceptionWhenTheAnswerEndsBeforeItsDeclaredLength() throws Exception {
        // a venue that drops the connection mid-answer: the part that came is never read as the whole answer
        try (ServerSocket cut = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answering = answerOnce(cut, out -> out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n[{\"id\":\"t-1\"}").getBytes(StandardCharsets.US_ASCII)));
            String url = "http://127.0.0.1:" + cut.getLocalPort() + "/trades";
            assertThatThrownBy(() -> client.execute(HttpCall.get(url))).isInstanceOf(IOException.class);
            answering.join(10_000);
            assertThat(answering.isAlive()).isFalse();
        }
    }

    @Test
    void shouldFailWithAnIoExceptionWhenAHeaderLineNeverEnds() throws Exception {
        // without a bound the line is read into memory until the heap runs out (Apache HttpClient's default)
        try (ServerSocket broken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answering = answerOnce(broken, out -> {
                out.write("HTTP/1.1 200 OK\r\nX-Broken: ".getBytes(StandardCharsets.US_ASCII));
                byte[] more = "a".repeat(65536).getBytes(StandardCharsets.US_ASCII);
                while (true) {
                    out.write(more);
                }
            });
            String url = "http://127.0.0.1:" + broken.getLocalPort() + "/trades";
            assertThatThrownBy(() -> client.execute(HttpCall.get(url)))
                    .isInstanceOf(org.apache.hc.core5.http.MessageConstraintException.class)
                    .hasMessage("Maximum line length limit exceeded");
            answering.join(10_000);
            assertThat(answering.isAlive()).as("the connection was dropped").isFalse();
        }
    }

    @Test
    void shouldCutACallWhoseAnswerComesTooSlowlyToEndWithinTheDeadline() throws Exception {
        // each byte comes well within the read timeout (300 ms), the whole answer would take 100 s: the call is cut
        // after the connect timeout and three read timeouts (1.1 s)
        var slow = new ApacheVenueHttpClient(Duration.ofMillis(200), Duration.ofMillis(300), 1);
        CountDownLatch dropped = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        try (ServerSocket trickling = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> {
                try (Socket s = trickling.accept()) {
                    s.getInputStream().read(new byte[8192]);
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 1000; i++) {
                        out.write('x');
                        out.flush();
                        if (done.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) { // the server's pace
                            return;
                        }
                    }
                } catch (IOException hungUp) {
                    dropped.countDown();
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                }
            });
            answering.start();
            String url = "http://127.0.0.1:" + trickling.getLocalPort() + "/trades";
            long start = System.nanoTime();
            assertThatThrownBy(() -> slow.execute(HttpCall.get(url))).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("no whole answer within 1100 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(dropped.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the connection was dropped").isTrue();
        } finally {
            done.countDown();
            slow.close();
        }
    }

    @Test
    void shouldFailWithAnIoExceptionWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/";
        assertThatThrownBy(() -> client.execute(HttpCall.get(url))).isInstanceOf(IOException.class);
    }

    @Test
    void shouldSpeakTlsToAnHttpsUrl() throws Exception {
        // TLS is set up at the first https call, not with the client: the first bytes on the wire are a TLS
        // handshake record (0x16), not a request line in the clear
        try (java.net.ServerSocket plain = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            java.util.concurrent.CompletableFuture<Integer> firstByte = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (java.net.Socket s = plain.accept()) {
                    return s.getInputStream().read();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String url = "https://127.0.0.1:" + plain.getLocalPort() + "/orders";
            assertThatThrownBy(() -> client.execute(HttpCall.get(url))).isInstanceOf(IOException.class);
            assertThat(firstByte.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(0x16);
        }
    }

    @Test
    void shouldKeepAsManyCallsInFlightToOneHostAsItHasConnectionsAndMakeTheNextWait() throws Exception {
        var patient = new ApacheVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(20), 4);
        var pool = Executors.newFixedThreadPool(5);
        try {
            var calls = new java.util.ArrayList<java.util.concurrent.Future<HttpReply>>();
            for (int i = 0; i < 4; i++) {
                calls.add(pool.submit(() -> patient.execute(HttpCall.get(base + "/hold"))));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> held.get() == 4);
            // all four connections are held: a fifth call waits for one, and does not reach the server meanwhile
            var fifth = pool.submit(() -> patient.execute(HttpCall.get(base + "/echo")));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> patient.callsWaitingForAConnection() == 1);
            assertThat(patient.connectionsInUse()).isEqualTo(4);
            assertThat(received).as("the fifth call has not reached the server").isEmpty();
            assertThat(held).hasValue(4);
            release.countDown();
            for (var call : calls) {
                assertThat(call.get(10, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("released");
            }
            assertThat(fifth.get(10, java.util.concurrent.TimeUnit.SECONDS).status()).as("a freed connection serves")
                    .isEqualTo(200);
            assertThat(received).hasSize(1);
            assertThat(patient.callsWaitingForAConnection()).isZero();
        } finally {
            release.countDown();
            pool.shutdownNow();
            patient.close();
        }
    }

    @Test
    void shouldKeepItsConnectionForTheNextCallAndSendNoCookieBack() throws IOException {
        for (int i = 0; i < 3; i++) {
            assertThat(client.execute(HttpCall.get(base + "/port")).body()).isEqualTo("ok");
        }
        assertThat(ports).hasSize(3);
        assertThat(ports).as("one keep-alive connection for calls one after another").containsOnly(ports.get(0));
        assertThat(cookies).as("the cookie the server set is not sent back").containsOnly("null");
    }

    @Test
    void shouldBoundTheWaitForAConnectionByTheRequestTimeout() throws Exception {
        // one connection, held by an answer that trickles in (each byte within the 300 ms read timeout) until its
        // deadline cuts it at 2.9 s: the next call waits for the connection up to the request timeout, not the HTTP
        // client's default of three minutes, which would outlast the holder
        var single = new ApacheVenueHttpClient(Duration.ofSeconds(2), Duration.ofMillis(300), 1);
        CountDownLatch answering = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        var pool = Executors.newSingleThreadExecutor();
        try (ServerSocket trickling = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = trickling.accept()) {
                    s.getInputStream().read(new byte[8192]);
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    answering.countDown();
                    for (int i = 0; i < 1000 && !done.await(100, java.util.concurrent.TimeUnit.MILLISECONDS); i++) {
                        out.write('x');
                        out.flush();
                    }
                } catch (IOException hungUp) {
                    // the holder was cut
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
            String url = "http://127.0.0.1:" + trickling.getLocalPort() + "/trades";
            pool.submit(() -> single.execute(HttpCall.get(url)));
            assertThat(answering.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            long start = System.nanoTime();
            assertThatThrownBy(() -> single.execute(HttpCall.get(url))).isInstanceOf(IOException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("failed while the holder still held it")
                    .isLessThan(Duration.ofMillis(2_000));
            assertThat(single.callsWaitingForAConnection()).isZero();
        } finally {
            done.countDown();
            pool.shutdownNow();
            single.close();
        }
    }

    @Test
    void shouldRefuseAPoolWithoutConnections() {
        assertThatThrownBy(() -> new ApacheVenueHttpClient(Duration.ofSeconds(1), Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectionsPerHost");
    }
}

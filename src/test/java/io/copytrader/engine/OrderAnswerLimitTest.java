package io.copytrader.engine;

import com.sun.net.httpserver.HttpServer;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.HttpHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The order answer's bound on a real HTTP server on loopback and Apache HttpClient built as camel-http builds it (the
 * configurer adds its interceptor to the builder): an answer within the bound is read whole, a longer one, one that
 * never ends, or a small gzip answer that decodes to more, is an IOException and its connection is dropped. An answer
 * sent a byte at a time (each byte well within the response timeout) is cut at the call's deadline.
 */
@Timeout(30)
class OrderAnswerLimitTest {
    private static final int LIMIT = 64 * 1024;
    private static final Duration DEADLINE = Duration.ofMillis(1500);
    /** Each read's timeout: the trickling servers send a byte well within it. */
    private static final int RESPONSE_TIMEOUT_MS = 1000;
    private static final long TRICKLE_MS = 50;

    private HttpServer server;
    private CloseableHttpClient client;
    private final AtomicLong endlessWritten = new AtomicLong();
    private final CountDownLatch endlessDropped = new CountDownLatch(1);
    private final CountDownLatch trickleDropped = new CountDownLatch(1);
    private final CountDownLatch trickleStarted = new CountDownLatch(1);
    private OrderAnswerLimit limit;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/small", ex -> answer(ex, "{\"ok\":true}".getBytes(StandardCharsets.UTF_8), null));
        server.createContext("/exact", ex -> answer(ex, new byte[LIMIT], null));
        server.createContext("/long", ex -> answer(ex, new byte[LIMIT + 1], null));
        server.createContext("/gzip-small", ex -> answer(ex, gzip(new byte[LIMIT]), "gzip"));
        server.createContext("/gzip-bomb", ex -> answer(ex, gzip(new byte[LIMIT * 64]), "gzip"));
        server.createContext("/endless", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, 0); // chunked
            byte[] chunk = " ".repeat(8192).getBytes(StandardCharsets.US_ASCII);
            try (OutputStream out = ex.getResponseBody()) {
                while (true) {
                    out.write(chunk);
                    out.flush();
                    endlessWritten.addAndGet(chunk.length);
                }
            } catch (IOException dropped) {
                endlessDropped.countDown();
            }
        });
        server.createContext("/trickle", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, 1000);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 1000; i++) {
                    out.write(' ');
                    out.flush();
                    trickleStarted.countDown();
                    Thread.sleep(TRICKLE_MS);
                }
            } catch (IOException dropped) {
                trickleDropped.countDown();
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        });
        server.createContext("/hang-up", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.close(); // no answer at all: the connection ends
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        limit = new OrderAnswerLimit(LIMIT, DEADLINE);
        HttpClientBuilder builder = HttpClientBuilder.create().disableContentCompression().disableAutomaticRetries()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(RESPONSE_TIMEOUT_MS, TimeUnit.MILLISECONDS).build());
        limit.configureHttpClient(builder);
        client = builder.build();
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        server.stop(0);
        limit.close();
    }

    @Test
    void shouldReadAnAnswerWithinTheBoundWhole() throws Exception {
        assertThat(post("/small")).isEqualTo("{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
        assertThat(post("/exact")).hasSize(LIMIT);
        assertThat(limit.pendingDeadlines()).as("each call read in time cancels its deadline").isZero();
    }

    @Test
    void shouldRefuseAnAnswerLongerThanTheBound() {
        assertThatThrownBy(() -> post("/long")).isInstanceOf(IOException.class)
                .hasMessageContaining("longer than the " + LIMIT);
    }

    @Test
    void shouldDropTheConnectionOfAnAnswerThatNeverEnds() throws Exception {
        assertThatThrownBy(() -> post("/endless")).isInstanceOf(IOException.class)
                .hasMessageContaining("longer than the " + LIMIT + " bytes read");
        // the server's next write fails: the connection was dropped, not read to its end
        assertThat(endlessDropped.await(10, TimeUnit.SECONDS)).isTrue();
        // and the client still works for the next answer
        assertThat(post("/small")).hasSize(11);
        assertThat(limit.pendingDeadlines()).as("a failed read cancels its deadline").isZero();
    }

    @Test
    void shouldCutAnAnswerSentAByteAtATimeAtTheDeadline() throws Exception {
        long start = System.nanoTime();
        // 1,000 bytes at a byte per 50 ms would take 50 s, each read well within its 1 s timeout
        java.util.concurrent.CompletableFuture<byte[]> call = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return post("/trickle");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(trickleStarted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(limit.pendingDeadlines()).as("the call under way has its deadline ahead").isEqualTo(1);
        assertThatThrownBy(call::join).hasRootCauseInstanceOf(IOException.class)
                .hasMessageContaining("no whole answer within 1500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        // the connection was dropped: the server's next write fails
        assertThat(trickleDropped.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(post("/small")).hasSize(11);
    }

    @Test
    void shouldCancelTheDeadlineOfACallThatFailedWithoutAnAnswer() {
        assertThatThrownBy(() -> post("/hang-up")).isInstanceOf(IOException.class)
                .hasMessageNotContaining("no whole answer");
        assertThat(limit.pendingDeadlines()).isZero();
    }

    @Test
    void shouldRefuseADeadlineThatIsNotPositiveAndTimeOnADaemonThread() throws Exception {
        assertThatThrownBy(() -> new OrderAnswerLimit(LIMIT, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OrderAnswerLimit(LIMIT, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OrderAnswerLimit(0, DEADLINE)).isInstanceOf(IllegalArgumentException.class);
        try (OrderAnswerLimit oneNano = new OrderAnswerLimit(1, Duration.ofNanos(1))) {
            assertThat(oneNano.pendingDeadlines()).isZero();
        }
        // the timer never keeps the engine's process alive: a placement's deadline runs on a daemon thread
        java.util.concurrent.atomic.AtomicBoolean daemon = new java.util.concurrent.atomic.AtomicBoolean();
        post("/small");
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("order-answer-deadline"))
                .forEach(t -> daemon.set(t.isDaemon()));
        assertThat(daemon).isTrue();
    }

    @Test
    void shouldCutAnAnswerWhoseHeadIsSentAByteAtATimeAtTheDeadline() throws Exception {
        CountDownLatch dropped = new CountDownLatch(1);
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread writer = new Thread(() -> {
                try (Socket s = raw.accept()) {
                    InputStream in = s.getInputStream();
                    in.read(new byte[8192]); // the request (small, in one segment on loopback)
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 1000; i++) {
                        out.write('a');
                        out.flush();
                        Thread.sleep(TRICKLE_MS);
                    }
                } catch (IOException e) {
                    dropped.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "trickled-head");
            writer.setDaemon(true);
            writer.start();
            HttpPost post = new HttpPost("http://127.0.0.1:" + raw.getLocalPort() + "/order");
            assertThatThrownBy(() -> client.execute(post, response -> response.getCode()))
                    .isInstanceOf(IOException.class).hasMessageContaining("no whole answer within 1500 ms");
            assertThat(dropped.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(limit.pendingDeadlines()).isZero();
    }

    @Test
    void shouldDecodeAGzipAnswerAndBoundItsDecodedLength() throws Exception {
        assertThat(post("/gzip-small")).isEqualTo(new byte[LIMIT]);
        assertThatThrownBy(() -> post("/gzip-bomb")).isInstanceOf(IOException.class)
                .hasMessageContaining("longer than the " + LIMIT + " decoded bytes read");
    }

    /** Reads the answer as camel-http does: its entity's content stream, to the end. */
    private byte[] post(String path) throws IOException {
        HttpPost post = new HttpPost("http://127.0.0.1:" + server.getAddress().getPort() + path);
        return client.execute(post, response -> {
            assertThat(response.getCode()).isEqualTo(200);
            assertThat(response.containsHeader(HttpHeaders.CONTENT_ENCODING)).as("decoded before camel-http").isFalse();
            return response.getEntity().getContent().readAllBytes();
        });
    }

    private static void answer(com.sun.net.httpserver.HttpExchange ex, byte[] body, String encoding)
            throws IOException {
        ex.getRequestBody().readAllBytes();
        if (encoding != null) {
            ex.getResponseHeaders().add("Content-Encoding", encoding);
        }
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(plain);
        }
        return bytes.toByteArray();
    }
}

package io.copytrader.engine;

import com.sun.net.httpserver.HttpServer;
import org.apache.hc.client5.http.classic.methods.HttpPost;
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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The order answer's bound on a real HTTP server on loopback and Apache HttpClient built as camel-http builds it (the
 * configurer adds its interceptor to the builder): an answer within the bound is read whole, a longer one, one that
 * never ends, or a small gzip answer that decodes to more, is an IOException and its connection is dropped.
 */
@Timeout(30)
class OrderAnswerLimitTest {
    private static final int LIMIT = 64 * 1024;

    private HttpServer server;
    private CloseableHttpClient client;
    private final AtomicLong endlessWritten = new AtomicLong();
    private final CountDownLatch endlessDropped = new CountDownLatch(1);

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
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        HttpClientBuilder builder = HttpClientBuilder.create().disableContentCompression().disableAutomaticRetries();
        new OrderAnswerLimit(LIMIT).configureHttpClient(builder);
        client = builder.build();
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        server.stop(0);
    }

    @Test
    void shouldReadAnAnswerWithinTheBoundWhole() throws Exception {
        assertThat(post("/small")).isEqualTo("{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
        assertThat(post("/exact")).hasSize(LIMIT);
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

package io.copytrader.ops.dashboard;

import io.copytrader.config.CopyTraderSettings;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.Portfolio;
import io.copytrader.store.InMemoryTradeStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard's event stream against clients that take without giving: one that never reads its updates is
 * disconnected instead of having them pile up in the engine's memory; past {@link DashboardServer#MAX_CLIENTS} live
 * clients a new one is told to come back later.
 */
@Timeout(120)
class DashboardServerTest {
    private final Vertx vertx = Vertx.vertx();
    private final List<Socket> sockets = new ArrayList<>();
    private DashboardServer dashboard;

    @AfterEach
    void close() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** A dashboard over an idle engine's view, pushing every {@code intervalMs}, served on loopback; its port. */
    private int serve(long intervalMs) throws Exception {
        Clock clock = Clock.systemUTC();
        OperatorView view = new OperatorView(CopyTraderSettings.load(Map.<String, String>of()::get, name -> null),
                new PipelineMetrics(new SimpleMeterRegistry()), CircuitBreaker.ofDefaults("orders"), new Portfolio(),
                new InMemoryTradeStore(clock), new TradeTape(100, clock, "test"), () -> 0, () -> 0, clock);
        dashboard = new DashboardServer(view, intervalMs);
        Router router = Router.router(vertx);
        dashboard.mount(router, "/d");
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return server.actualPort();
    }

    /** Opens the event stream on a raw connection that reads nothing unless told to. */
    private Socket subscribe(int port) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", port));
        s.getOutputStream().write("GET /d/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    private static String statusLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    @Test
    void shouldDisconnectAClientThatNeverReadsItsUpdates() throws Exception {
        int port = serve(1);
        Socket sleeper = subscribe(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> dashboard.clients() == 1);

        // figures every millisecond, never read: the connection's buffers fill, and the client is let go
        await().atMost(Duration.ofSeconds(60)).until(() -> dashboard.clients() == 0);
        assertThat(dashboard.pushing()).as("nobody left to push to").isFalse();
        sleeper.setSoTimeout(30_000);
        InputStream in = sleeper.getInputStream();
        byte[] drain = new byte[65536];
        long read = 0;
        for (int n = in.read(drain); n != -1; n = in.read(drain)) {
            read += n;
        }
        assertThat(read).as("what was sent before the end, then the connection closed").isPositive();
    }

    @Test
    void shouldTellAClientPastTheLimitToComeBackLater() throws Exception {
        int port = serve(3_600_000); // no push in this test: only the limit is at work
        for (int i = 0; i < DashboardServer.MAX_CLIENTS; i++) {
            subscribe(port);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> dashboard.clients() == DashboardServer.MAX_CLIENTS);

        Socket late = subscribe(port);
        late.setSoTimeout(30_000);
        assertThat(statusLine(late)).isEqualTo("HTTP/1.1 503 Service Unavailable");
        assertThat(dashboard.clients()).isEqualTo(DashboardServer.MAX_CLIENTS);

        sockets.get(0).close();
        await().atMost(Duration.ofSeconds(30)).until(() -> dashboard.clients() == DashboardServer.MAX_CLIENTS - 1);
        Socket next = subscribe(port);
        next.setSoTimeout(30_000);
        assertThat(statusLine(next)).isEqualTo("HTTP/1.1 200 OK");
    }
}

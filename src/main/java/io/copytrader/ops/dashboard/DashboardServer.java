package io.copytrader.ops.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The live dashboard on the management server: a static page (HTML, JS, CSS from the classpath, no build step), a
 * JSON snapshot, and a server-sent event stream that pushes the figures and the new trades every
 * {@code intervalMs}. GET only: the page reads, it never acts (replays stay in the CLI). The management server's
 * own authentication, when enabled, covers these paths as it covers /observe/*.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Trades sent to a client that just connected. */
    private static final int BACKLOG = 50;
    /** Event-stream clients at once (about: two connecting together may both pass); each is written every tick. */
    static final int MAX_CLIENTS = 32;
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final OperatorView view;
    private final long intervalMs;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor ticker = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "copytrader-dashboard");
        t.setDaemon(true);
        return t;
    });
    /**
     * The push, scheduled only while a client is connected: a tick that finds nobody still wakes a thread, four times
     * a second, in an engine that is otherwise idle (guarded by this).
     */
    private ScheduledFuture<?> pushing;
    private volatile boolean closed;

    private static final class Client {
        final HttpServerResponse response;
        volatile long lastSeq;

        Client(HttpServerResponse response, long lastSeq) {
            this.response = response;
            this.lastSeq = lastSeq;
        }
    }

    public DashboardServer(OperatorView view, long intervalMs) {
        this.view = view;
        this.intervalMs = intervalMs;
        ticker.setRemoveOnCancelPolicy(true);
        FILES.keySet().forEach(name -> files.put(name, resource("dashboard/" + name)));
    }

    /** Adds the dashboard's routes under {@code base} (e.g. /observe/dashboard) and starts pushing. */
    public void mount(Router router, String base) {
        // Vert.x matches base and base/ alike; the page's relative links need base/
        router.route(HttpMethod.GET, base).handler(ctx -> {
            if (ctx.request().path().endsWith("/")) {
                file(ctx, "index.html");
            } else {
                ctx.response().setStatusCode(302).putHeader("Location", base + "/").end();
            }
        });
        for (String name : FILES.keySet()) {
            router.route(HttpMethod.GET, base + "/" + name).handler(ctx -> file(ctx, name));
        }
        router.route(HttpMethod.GET, base + "/snapshot").blockingHandler(this::snapshot, false);
        router.route(HttpMethod.GET, base + "/events").blockingHandler(this::events, false);
    }

    /** Starts the push when the first client is connected, stops it when the last one has gone. */
    private synchronized void clientsChanged() {
        if (!clients.isEmpty() && pushing == null && !closed) {
            pushing = ticker.scheduleWithFixedDelay(this::push, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        } else if (clients.isEmpty() && pushing != null) {
            pushing.cancel(false);
            pushing = null;
        }
    }

    /** Whether updates are being pushed (only while a client is connected). */
    public synchronized boolean pushing() {
        return pushing != null;
    }

    private void file(RoutingContext ctx, String name) {
        secure(ctx.response()).putHeader("Content-Type", FILES.get(name)).putHeader("Cache-Control", "no-cache")
                .end(io.vertx.core.buffer.Buffer.buffer(files.get(name)));
    }

    private void snapshot(RoutingContext ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("figures", view.figures());
        body.put("trades", trades(view.tape().since(lastSeq() - BACKLOG)));
        secure(ctx.response()).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                .end(json(body));
    }

    private void events(RoutingContext ctx) {
        HttpServerResponse response = secure(ctx.response());
        if (clients.size() >= MAX_CLIENTS) {
            response.setStatusCode(503).putHeader("Retry-After", "10").putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("The dashboard has " + MAX_CLIENTS + " live clients already; try again later.\n");
            return;
        }
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no");
        List<TradeTape.Entry> backlog = view.tape().since(lastSeq() - BACKLOG);
        Client client = new Client(response, backlog.isEmpty() ? lastSeq() : backlog.get(backlog.size() - 1).seq());
        response.write("retry: 2000\n\n");
        send(client, view.figures(), backlog);
        response.closeHandler(v -> remove(client));
        response.exceptionHandler(e -> remove(client));
        clients.add(client);
        clientsChanged();
    }

    private void remove(Client client) {
        clients.remove(client);
        clientsChanged();
    }

    /** One tick: the figures once for everyone, each client the trades it has not seen yet. */
    private void push() {
        if (clients.isEmpty()) {
            return;
        }
        try {
            Map<String, Object> figures = view.figures();
            for (Client c : clients) {
                send(c, figures, view.tape().since(c.lastSeq));
            }
        } catch (RuntimeException e) {
            LOG.warn("Dashboard update failed: {}", e.toString());
        }
    }

    private void send(Client c, Map<String, Object> figures, List<TradeTape.Entry> entries) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("figures", figures);
        body.put("trades", trades(entries));
        if (!entries.isEmpty()) {
            c.lastSeq = entries.get(entries.size() - 1).seq();
        }
        if (c.response.ended() || c.response.closed()) {
            remove(c);
            return;
        }
        if (c.response.writeQueueFull()) {
            // a client that does not read (a laptop asleep, or someone hostile): its updates would pile up in the
            // engine's memory; it is disconnected instead, and a browser's EventSource reconnects for a fresh start
            LOG.warn("A dashboard client did not read its updates; disconnected");
            remove(c);
            c.response.close();
            return;
        }
        c.response.write("event: update\ndata: " + json(body) + "\n\n");
    }

    private List<Map<String, Object>> trades(List<TradeTape.Entry> entries) {
        List<Map<String, Object>> out = new ArrayList<>(entries.size());
        int from = Math.max(0, entries.size() - BACKLOG * 4);
        for (int i = from; i < entries.size(); i++) {
            out.add(view.trade(entries.get(i)));
        }
        return out;
    }

    private long lastSeq() {
        return view.tape().lastSeq();
    }

    /** Clients connected to the event stream. */
    public int clients() {
        return clients.size();
    }

    private static HttpServerResponse secure(HttpServerResponse r) {
        return r.putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY");
    }

    private static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String path) {
        try (InputStream in = DashboardServer.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        for (Client c : clients) {
            if (!c.response.ended()) {
                c.response.end();
            }
        }
        clients.clear();
    }
}

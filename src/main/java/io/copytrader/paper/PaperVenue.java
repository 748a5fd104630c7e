package io.copytrader.paper;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The paper venue: a simulated target-trader feed and exchange served over real HTTP on 127.0.0.1
 * (docs/paper-venue-api.md). Start it embedded with {@link #start(PaperVenueConfig)}, talk to it through
 * {@link PaperFeedAdapter}, {@link PaperExchangeAdapter} and {@link PaperVenueAdmin}, and close it when done.
 *
 * <p>A timer lets traders emit what their rate owes and fills resting orders that came due, both by the configured
 * clock; between those events it sleeps (at least 10 ms, at most 1 s: {@link VenueTimer}), so an idle venue costs
 * next to nothing.
 */
public final class PaperVenue implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final long START_TIMEOUT_SECONDS = 30;

    /**
     * How often Vert.x looks for an event loop blocked too long (to log a warning): every 10 s rather than every second.
     * Its checker thread was 0.2 ms of CPU a second in an idle engine, for a warning that comes a few seconds sooner.
     */
    private static final long BLOCKED_THREAD_CHECK_MS = 10_000;

    private final Vertx vertx;
    private final int port;
    private final PaperVenueRoutes routes;
    private final VenueTimer timer;

    private PaperVenue(Vertx vertx, int port, PaperVenueRoutes routes, VenueTimer timer) {
        this.vertx = vertx;
        this.port = port;
        this.routes = routes;
        this.timer = timer;
    }

    /** Starts a venue and returns once it listens. */
    public static PaperVenue start(PaperVenueConfig config) {
        FaultModel faults = new FaultModel(config.seed() * 31 + 7);
        FeedBook feeds = new FeedBook(config.seed(), config.feedRetention(), config.instruments(), faults, config.clock(),
                config.traders());
        PaperExchange exchange = new PaperExchange(config.startingCash(),
                new SeededFillModel(config.seed() * 31 + 3, config.fillModel()), config.clock(),
                config.endedOrderRetention(), config.endedOrderLimit());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(2, config.serverInstances()))
                .setBlockedThreadCheckInterval(BLOCKED_THREAD_CHECK_MS));
        VenueTimer timer = new VenueTimer(vertx, feeds, exchange, config.clock());
        PaperVenueRoutes routes = new PaperVenueRoutes(vertx, feeds, exchange, faults, config.hangTimeout(), timer);
        try {
            int port = await(deploy(vertx, routes, config.port(), config.serverInstances()));
            timer.start();
            return new PaperVenue(vertx, port, routes, timer);
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String baseUrl() {
        return "http://" + HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    /** How many times the venue's timer has run (it sleeps between events). */
    long timerRuns() {
        return timer.runs();
    }

    /** The counters {@code GET /admin/stats} serves, read directly. */
    public VenueStats stats() {
        return routes.stats();
    }

    /** Stops listening, drops every connection (hung ones included) and stops the timers. */
    @Override
    public void close() {
        await(vertx.close());
    }

    /**
     * Deploys the servers. For a free port they listen on port -1: Vert.x picks one random port and shares it among
     * servers asking for the same negative port (port 0 would give each its own).
     */
    private static Future<Integer> deploy(Vertx vertx, PaperVenueRoutes routes, int port, int instances) {
        Set<Integer> ports = ConcurrentHashMap.newKeySet();
        int listenPort = port == 0 ? -1 : port;
        return vertx.deployVerticle(() -> new ServerVerticle(routes, listenPort, ports), new DeploymentOptions().setInstances(instances))
                .compose(id -> ports.size() == 1 ? Future.succeededFuture(ports.iterator().next())
                        : Future.failedFuture("server instances bound different ports: " + ports));
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting or stopping the paper venue", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("paper venue failed to start or stop: " + cause.getMessage(), cause);
        }
    }

    /** One HTTP server on its own event loop; several share the port. */
    private static final class ServerVerticle extends AbstractVerticle {
        private final PaperVenueRoutes routes;
        private final int port;
        private final Set<Integer> bound;

        ServerVerticle(PaperVenueRoutes routes, int port, Set<Integer> bound) {
            this.routes = routes;
            this.port = port;
            this.bound = bound;
        }

        @Override
        public void start(Promise<Void> started) {
            vertx.createHttpServer(new HttpServerOptions().setHost(HOST).setPort(port).setTcpNoDelay(true))
                    .requestHandler(routes.router())
                    .listen()
                    .onSuccess(server -> {
                        bound.add(server.actualPort());
                        started.complete();
                    })
                    .onFailure(started::fail);
        }
    }
}

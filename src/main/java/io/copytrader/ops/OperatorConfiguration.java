package io.copytrader.ops;

import io.copytrader.config.CopyTraderSettings;
import io.copytrader.config.InvalidSettingException;
import io.copytrader.engine.DropOldestQueueFactory;
import io.copytrader.engine.LifecycleEventNotifier;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.Portfolio;
import io.copytrader.engine.StartupFailure;
import io.copytrader.engine.TradeLedger;
import io.copytrader.ops.dashboard.DashboardServer;
import io.copytrader.ops.dashboard.OperatorView;
import io.copytrader.ops.dashboard.TradeTape;
import io.copytrader.chain.ChainFeed;
import io.copytrader.ops.health.BreakerReadinessCheck;
import io.copytrader.ops.health.ChainFeedReadinessCheck;
import io.copytrader.ops.health.FeedReadinessCheck;
import io.copytrader.ops.jmx.BreakerConfigExposure;
import io.copytrader.ops.jmx.TradingMBeans;
import io.copytrader.store.TradeStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.CamelEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What an operator sees, wired onto the engine EngineConfiguration built (application.properties names both in
 * {@code camel.main.configuration-classes}): readiness checks for the breaker and the feeds, the trading figures
 * and the breaker's real configuration in JMX, and the live dashboard on the management server, announced with
 * the address the server is bound to.
 */
public class OperatorConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorConfiguration.class);
    /** The management server's paths this application serves; the banner lists them. */
    /** Gauges of this configuration (Prometheus: copytrader_feed_targets, copytrader_detection_lag_recent_p99_seconds). */
    public static final String TARGETS = "copytrader.feed.targets";
    public static final String DETECTION_LAG_RECENT_P99 = "copytrader.detection.lag.recent.p99";
    static final List<String> PATHS = List.of("/dashboard/", "/health", "/metrics", "/jolokia");

    @Override
    public void configure(CamelContext context) throws Exception {
        CopyTraderSettings settings = bean(context, "copyTraderSettings", CopyTraderSettings.class);
        PipelineMetrics metrics = bean(context, "pipelineMetrics", PipelineMetrics.class);
        CircuitBreaker breaker = bean(context, "orderCircuitBreaker", CircuitBreaker.class);
        TradeStore store = bean(context, "tradeStore", TradeStore.class);
        DropOldestQueueFactory queue = bean(context, "copyQueueFactory", DropOldestQueueFactory.class);
        int feedFailures = feedFailureThreshold(context);
        Clock clock = Clock.systemUTC();

        TradeTape tape = new TradeTape(500, clock, settings.venue());
        bean(context, "tradeLedger", TradeLedger.class).outcomeListener(tape);
        OperatorView view = new OperatorView(settings, metrics, breaker, bean(context, "portfolio", Portfolio.class),
                store, tape, queue::queueLength, () -> context.getInflightRepository().size("copy-trade"), clock);
        context.getRegistry().bind("operatorView", view);
        metrics.gauge(PipelineMetrics.DEAD_LETTERS_PENDING,
                "Dead letters waiting for a person: not replayed, their trade not admitted later",
                () -> view.deadLetters()[0]);
        metrics.gauge(TARGETS, "Target traders the engine follows", () -> settings.targetTraders().size());
        Gauge.builder(DETECTION_LAG_RECENT_P99, tape, t -> {
                    TradeTape.LagWindow.Summary s = t.detectionLags().get(settings.venue());
                    return s == null ? 0 : s.p99Ms() / 1000.0;
                }).tag("source", settings.venue()).baseUnit("seconds")
                .description("p99 of venue time to detected over the last 256 trades, per detection source")
                .register(metrics.registry());

        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new BreakerReadinessCheck(breaker, settings.maxConsecutiveFailures(),
                    OperatorView.waitInOpenSeconds(breaker.getCircuitBreakerConfig())));
            health.register(new FeedReadinessCheck(metrics, feedFailures, detectionStall(context)));
            ChainFeed chain = context.getRegistry().lookupByNameAndType("chainFeed", ChainFeed.class);
            if (chain != null) { // chain detection is on
                health.register(new ChainFeedReadinessCheck(chain, feedFailures));
            }
        }

        limitManagementServer(context);

        BreakerConfigExposure exposure = new BreakerConfigExposure(context, "order-circuit-breaker", breaker);
        context.getManagementStrategy().addEventNotifier(exposure);
        context.getManagementStrategy().addEventNotifier(new LifecycleEventNotifier() {
            private final List<AutoCloseable> started = new ArrayList<>();

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStartedEvent
                        || event instanceof CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.CamelContextStartedEvent) {
                    if (context.getManagementStrategy().getManagementAgent() != null) {
                        started.add(new TradingMBeans(view, clock));
                    }
                    ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
                    if (server != null && server.getRouter() != null) {
                        DashboardServer dashboard = mountDashboard(server, view);
                        context.getRegistry().bind("dashboard", dashboard);
                        started.add(dashboard);
                    }
                } else {
                    for (AutoCloseable c : started) {
                        try {
                            c.close();
                        } catch (Exception e) {
                            LOG.debug("Closing {}: {}", c, e.toString());
                        }
                    }
                    started.clear();
                }
            }
        });
    }

    private static DashboardServer mountDashboard(ManagementHttpServer server, OperatorView view) {
        VertxPlatformHttpRouter router = server.getRouter();
        String base = base(server);
        DashboardServer dashboard = new DashboardServer(view, 250);
        dashboard.mount(router, base + "/dashboard");
        int port = router.getServer() != null ? router.getServer().getPort() : server.getPort();
        LOG.info("Management server on {}", ManagementBanner.origin(server.getHost(), port));
        for (String line : ManagementBanner.lines(server.getHost(), port, base, PATHS)) {
            LOG.info("    {}", line);
        }
        return dashboard;
    }

    /** The management server's base path (/observe by default), taken from where its health endpoint is. */
    private static String base(ManagementHttpServer server) {
        String health = server.getHealthPath();
        if (health != null && health.endsWith("/health")) {
            return health.substring(0, health.length() - "/health".length());
        }
        String path = server.getPath();
        return path == null || path.equals("/") ? "" : path;
    }

    /**
     * HEALTH_FEED_FAILURES (copytrader.health.feed-failures): consecutive failed polls of a feed (or failures of the
     * chain feed) after which readiness goes DOWN.
     */
    /**
     * HEALTH_DETECTION_STALL_MS (copytrader.health.detection-stall-ms): how long the detection timer may go without a
     * tick before readiness is DOWN (default a minute: far above a poll interval and a feed request's timeout).
     */
    private static Duration detectionStall(CamelContext context) {
        return recorded(() -> detectionStall(CopyTraderSettings.lookupIn(context.getPropertiesComponent())));
    }

    /** HEALTH_DETECTION_STALL_MS, read as every setting is (the start-up check reads it too). */
    public static Duration detectionStall(java.util.function.Function<String, String> lookup) {
        return Duration.ofMillis(CopyTraderSettings.integer(lookup, "copytrader.health.detection-stall-ms",
                "HEALTH_DETECTION_STALL_MS", "60000", 1_000, 86_400_000));
    }

    private static int feedFailureThreshold(CamelContext context) {
        return recorded(() -> feedFailureThreshold(CopyTraderSettings.lookupIn(context.getPropertiesComponent())));
    }

    /** HEALTH_FEED_FAILURES, read as every setting is (the start-up check reads it too). */
    public static int feedFailureThreshold(java.util.function.Function<String, String> lookup) {
        return (int) CopyTraderSettings.integer(lookup, "copytrader.health.feed-failures", "HEALTH_FEED_FAILURES", "10",
                1, 1_000_000);
    }

    /**
     * The management server's Vert.x, with limits on its connections ({@link ManagementServerLimits}),
     * unless the management server is off or someone bound a Vert.x already; closed once the context has stopped.
     */
    private static void limitManagementServer(CamelContext context) {
        boolean enabled = context.getPropertiesComponent().resolveProperty("camel.management.enabled")
                .map(v -> v.trim().equalsIgnoreCase("true")).orElse(false);
        if (!enabled || !context.getRegistry().findByType(io.vertx.core.Vertx.class).isEmpty()) {
            return;
        }
        var lookup = CopyTraderSettings.lookupIn(context.getPropertiesComponent());
        int idleSeconds = recorded(() -> managementIdleTimeoutSeconds(lookup));
        int maxConnections = recorded(() -> managementMaxConnections(lookup));
        // Vert.x looks for a blocked event loop every 10 s, not every second: its checker thread cost 0.2 ms of CPU a
        // second in an idle engine, for a warning that comes a few seconds sooner (as the paper venue's)
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx(new io.vertx.core.VertxOptions()
                .setBlockedThreadCheckInterval(10_000));
        context.getRegistry().bind("managementVertx", ManagementServerLimits.limited(vertx, idleSeconds, maxConnections));
        context.getManagementStrategy().addEventNotifier(
                LifecycleEventNotifier.on(CamelEvent.CamelContextStoppedEvent.class, vertx::close));
    }

    /**
     * MANAGEMENT_IDLE_TIMEOUT_S (copytrader.management.idle-timeout-s): the management server closes a connection on
     * which nothing was read or written for this long (a client that never finishes its request, or stops reading),
     * and one whose request body has not all come this long after its head.
     */
    public static int managementIdleTimeoutSeconds(java.util.function.Function<String, String> lookup) {
        return (int) CopyTraderSettings.integer(lookup, "copytrader.management.idle-timeout-s",
                "MANAGEMENT_IDLE_TIMEOUT_S", "60", 1, 86_400);
    }

    /**
     * MANAGEMENT_MAX_CONNECTIONS (copytrader.management.max-connections): the management server takes at most this
     * many connections at a time; one more is closed as soon as it opens.
     */
    public static int managementMaxConnections(java.util.function.Function<String, String> lookup) {
        return (int) CopyTraderSettings.integer(lookup, "copytrader.management.max-connections",
                "MANAGEMENT_MAX_CONNECTIONS", "256", 1, 65_536);
    }

    /** A refused setting is recorded for the start's one-line error, then thrown. */
    private static <T> T recorded(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (InvalidSettingException invalid) {
            StartupFailure.record(invalid);
            throw invalid;
        }
    }

    private static <T> T bean(CamelContext context, String name, Class<T> type) {
        T bean = context.getRegistry().lookupByNameAndType(name, type);
        if (bean == null) {
            throw new IllegalStateException("bean " + name + " missing: list io.copytrader.engine.EngineConfiguration"
                    + " before " + OperatorConfiguration.class.getName() + " in camel.main.configuration-classes");
        }
        return bean;
    }
}

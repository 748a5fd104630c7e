package io.copytrader.engine;

import io.copytrader.chain.ChainSettings;
import io.copytrader.chain.ChainWiring;
import io.copytrader.cli.ConfigCheck;
import io.copytrader.config.CopyTraderSettings;
import io.copytrader.config.InvalidSettingException;
import io.copytrader.config.SellSettings;
import io.copytrader.config.TargetSettings;
import io.copytrader.domain.TraderId;
import io.copytrader.ops.SecretMasker;
import io.copytrader.paper.PaperExchangeAdapter;
import io.copytrader.paper.PaperFeedAdapter;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueConfig;
import io.copytrader.polymarket.PolymarketConfig;
import io.copytrader.polymarket.PolymarketExchangeAdapter;
import io.copytrader.polymarket.PolymarketPreflight;
import io.copytrader.polymarket.PolymarketVenue;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.EngineLock;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.StoreSettings;
import io.copytrader.store.TradeStore;
import io.copytrader.venue.ApacheVenueHttpClient;
import io.copytrader.venue.ExchangeAdapter;
import io.copytrader.venue.FeedAdapter;
import io.copytrader.venue.VenueHttpClient;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.StartupListener;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.TypeConverterSupport;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Builds the engine's beans from {@code copytrader.*} properties and binds them by the names the routes use. Loaded
 * by Camel Main through {@code camel.main.configuration-classes} in application.properties, so a plain
 * {@code org.apache.camel.main.Main} (or {@code camel run}) over routes/ and application.properties gets exactly the
 * same application as {@code java -jar copytrader.jar}.
 */
public class EngineConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(EngineConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        // the launcher's check of every setting and of the store, before anything opens; without the launcher (a
        // plain Camel Main, camel run) the values are checked below as they are read, and the keys' names here
        if (!StartupFailure.awaitCheck()) {
            String unknown = ConfigCheck.unknownKeys(context, System.getenv().keySet(),
                    System.getProperties().stringPropertyNames());
            if (unknown != null) {
                InvalidSettingException invalid = new InvalidSettingException(unknown);
                StartupFailure.record(invalid);
                throw invalid;
            }
        }
        PropertiesComponent pc = context.getPropertiesComponent();
        SecretMasker.registerSensitiveProperties(context); // from now on, logs mask the secrets' values
        if (context.hasComponent("seda") == null) {
            context.addComponent("seda", new PromptSedaComponent()); // consumers poll once started, not a second later
        }
        if (context.hasComponent("http") == null) {
            context.addComponent("http", new BoundedHttpComponent()); // an answer's head is read within bounds
        }
        CopyTraderSettings settings;
        Map<TraderId, TargetSettings> targets;
        SellSettings sells;
        try {
            settings = CopyTraderSettings.load(CopyTraderSettings.lookupIn(pc));
            targets = TargetSettings.load(settings, CopyTraderSettings.lookupIn(pc),
                    pc.loadProperties(k -> k.startsWith(TargetSettings.PREFIX)).stringPropertyNames());
            sells = SellSettings.load(CopyTraderSettings.lookupIn(pc));
        } catch (InvalidSettingException e) {
            StartupFailure.record(e);
            throw e;
        }
        targets.values().forEach(t -> LOG.info("Target {}: {}", t.trader(), t.describe()));
        ChainSettings chain;
        SharedQueueSettings shared;
        try {
            chain = ChainSettings.load(CopyTraderSettings.strictLookupIn(pc), settings.venue());
            shared = SharedQueueSettings.read(CopyTraderSettings.strictLookupIn(pc));
            if (shared.shared()) {
                shared.requireComplete();
            }
        } catch (InvalidSettingException e) {
            StartupFailure.record(e);
            throw e;
        }
        // the embedded paper venue starts beside the store and the engine's parts (its start was on the path to the
        // first copy); if the engine does not get as far as using it, it is closed
        VenueStart venueStart = settings.venue().equals("paper") && settings.paperVenueUrl().isBlank()
                ? new VenueStart(paperVenueConfig(settings, paperTraders(settings))) : null;
        try {
            assemble(context, pc, settings, targets, sells, chain, shared, venueStart);
        } catch (Exception | Error e) {
            if (venueStart != null) {
                venueStart.abandon();
            }
            throw e;
        }
    }

    /** The engine's parts over the checked settings: store, metrics, venue adapters, the pipeline's beans. */
    private static void assemble(CamelContext context, PropertiesComponent pc, CopyTraderSettings settings,
                                 Map<TraderId, TargetSettings> targets, SellSettings sells, ChainSettings chain,
                                 SharedQueueSettings shared, VenueStart venueStart) throws Exception {
        Clock clock = Clock.systemUTC();
        String instanceId = sharedQueue(context, shared); // null: one instance, the in-process queue
        // one instance: the store is this engine's alone (EngineLock), taken before anything reads or writes it
        EngineLock lock = instanceId == null ? lockStore(settings, pc) : null;
        TradeStore store;
        try {
            store = openStore(settings, clock);
        } catch (RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
        if (lock != null && lock.canBeLost()) {
            watchLock(context, lock, LOCK_CHECK_EVERY);
        }
        stopWithContext(context, () -> {
            try {
                store.close();
            } finally {
                if (lock != null) {
                    lock.close(); // last: the next engine starts on a store this one no longer writes
                }
            }
        });
        MeterRegistry registry = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        if (registry == null) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            context.getRegistry().bind("metricsRegistry", registry);
        }
        bindJvmMetrics(context, registry);
        PipelineMetrics metrics = new PipelineMetrics(registry);
        metrics.defaultSource(settings.venue().equals("polymarket") ? ChainSettings.DATA_API : settings.venue());
        metrics.seed(store.detectedCount(), store.outcomeCountsByReason());
        TradeLedger ledger = new TradeLedger(store, metrics).aggregatesInStore(instanceId != null)
                .resolvingLostAdmissions(instanceId == null);
        // a store write before sending is not tried again once the engine is stopping
        ledger.storeRetries().stoppingWhen(() -> context.isStopping() || context.isStopped());

        ApacheVenueHttpClient http = new ApacheVenueHttpClient(Duration.ofMillis(settings.connectTimeoutMs()),
                Duration.ofMillis(settings.responseTimeoutMs()), settings.maxInFlightOrders() + 8);
        stopWithContext(context, http::close); // after the routes: the monitor's last pass has ended
        OrderAnswerLimit answerLimit = new OrderAnswerLimit(Duration.ofMillis(settings.connectTimeoutMs()),
                Duration.ofMillis(settings.responseTimeoutMs()));
        stopWithContext(context, answerLimit::close);
        context.getRegistry().bind(OrderAnswerLimit.BEAN, answerLimit); // place-order's http://exchange
        FeedAdapter feed;
        ExchangeAdapter exchange;
        if (settings.venue().equals("polymarket")) {
            // secrets come from the environment only: application.properties never holds them
            Function<String, String> properties = CopyTraderSettings.strictLookupIn(pc);
            Function<String, String> lookup = key -> {
                String value = properties.apply(key);
                return value != null ? value : System.getenv(key);
            };
            PolymarketConfig poly;
            try {
                poly = PolymarketConfig.from(lookup);
            } catch (IllegalArgumentException e) {
                InvalidSettingException invalid = new InvalidSettingException(e.getMessage());
                StartupFailure.record(invalid);
                throw invalid;
            }
            feed = PolymarketVenue.feed(poly, clock);
            exchange = poly.dryRun()
                    ? new PaperExchangeAdapter(paperVenueUrl(context, settings, Map.of()))
                    : polymarketExchange(poly, http, clock, settings);
            LOG.info("Venue: Polymarket feed for {} trader(s); exchange: {}", poly.targetTraders().size(),
                    poly.dryRun() ? "paper (dry run, no real orders)" : "Polymarket CLOB V2");
        } else {
            String url = venueStart != null ? venueStart.url(context) : paperVenueUrl(context, settings, Map.of());
            feed = new PaperFeedAdapter(url, settings.feedPageSize());
            exchange = new PaperExchangeAdapter(url);
        }

        Portfolio portfolio = new Portfolio();
        CopyPlanner planner = new CopyPlanner(SizingRules.from(settings).withSells(sells), targets, portfolio, ledger);
        // the copy queue's drops are written on a thread of their own, many in one write: the aggregator's thread,
        // which offers to the full queue, waited for a commit per drop and fell behind when trades came fastest
        DropRecorder drops = DropRecorder.onItsOwnThread(ledger, "Camel (" + context.getName() + ") copy queue drops");
        // after the routes (the aggregator waits for its dropped groups' writes), before the store closes
        stopWithContext(context, drops::close);
        DropOldestQueueFactory queueFactory = new DropOldestQueueFactory(ledger, drops, settings.joinWaitingTrades(),
                settings.oneOrderPerInstrument(), e -> planner.sellGoesNow(e.getMessage().getBody(DetectedTrade.class),
                        e.getProperty(TargetPositions.PROPERTY, BigDecimal.class)));
        CircuitBreaker breaker = circuitBreaker(settings);
        DeadLetterRecorder deadLetters = new DeadLetterRecorder(ledger);
        RetryPolicy retryPolicy = retryPolicy(settings);
        OrderPlacer placer = new OrderPlacer(exchange, store, ledger, portfolio, new CopyReporter(), clock,
                retryPolicy, new OrderBreaker(breaker));
        OrderMonitor monitor = new OrderMonitor(exchange, http, store, ledger, portfolio, deadLetters, clock,
                settings.unknownOrderGrace(), longestSend(settings, retryPolicy), placer::isInHand,
                settings.maxRestingTime(), Duration.ofMillis(settings.portfolioRefreshMs()))
                .readingBackFirst(placer::resolveAnswersInDoubt);
        if (instanceId != null) {
            monitor.sharedAs(instanceId, shared.claimLease());
        }

        Map<String, Object> beans = new LinkedHashMap<>();
        // the polls' executors: an Error in one run (a stack overflow in a feed poll) does not end the runs after it
        GuardedScheduler detectScheduler = new GuardedScheduler("Camel (" + context.getName()
                + ") scheduler://detect-trades");
        GuardedScheduler monitorScheduler = new GuardedScheduler("Camel (" + context.getName()
                + ") scheduler://monitor-orders");
        stopWithContext(context, () -> {
            detectScheduler.shutdownNow();
            monitorScheduler.shutdownNow();
        });
        beans.put("detectScheduler", detectScheduler);
        beans.put("monitorScheduler", monitorScheduler);
        beans.put("copyTraderSettings", settings);
        beans.put("tradeStore", store);
        beans.put("pipelineMetrics", metrics);
        beans.put("tradeLedger", ledger);
        beans.put("portfolio", portfolio);
        TargetPositions targetPositions = new TargetPositions();
        beans.put("targetPositions", targetPositions);
        TradeDetector detector = new TradeDetector(
                chain.dataApiOn() ? settings.targetTraders() : java.util.List.of(), feed, http, store, metrics, clock,
                targetPositions)
                .coalescingTicksWithin(Duration.ofMillis(instanceId == null ? 0 : settings.pollIntervalMs() / 2))
                .readingAtMostPagesPerPoll(settings.feedMaxPagesPerPoll())
                .withinPageRequests(feed.pageRequestsPerSecond(), Duration.ofSeconds(1));
        if (instanceId != null) {
            detector.ownedAs(instanceId, shared.claimLease());
        }
        beans.put("tradeDetector", detector);
        CopyQueue copyQueue = new CopyQueue(instanceId != null, exchange.knowsOrderIdBeforeSending(), ledger,
                settings.maxTradeAge(), clock);
        beans.put("copyQueue", copyQueue);
        // with two sources of the same fills (DETECTION=both), each trade records its source: the chain's fills and
        // the Data API's rows of one transaction are admitted from whichever source saw it first (TradeStore#admit)
        TradeAdmissions admissions = new TradeAdmissions(ledger,
                chain.detection().equals(ChainSettings.BOTH) ? ChainSettings.DATA_API : null)
                .holdingTheCursorOfRefusedTrades(settings.maxTradeAge(), clock);
        beans.put("tradeAdmissions", admissions);
        FillAggregation fillAggregation = new FillAggregation(settings.aggregationWindowMs(),
                TradeFilter.maxAhead(settings.maxTradeAge()), ledger);
        beans.put("fillAggregation", fillAggregation);
        FillGroups fillGroups = new FillGroups();
        FillWindowChecker fillWindowChecker = new FillWindowChecker(fillGroups::hasGroups, settings.aggregationWindowMs());
        fillGroups.onAdd(fillWindowChecker::groupOpened);
        // Camel's look for groups past their window goes by the wall clock; this one by the monotonic clock
        fillWindowChecker.alsoAfterEachLook(() -> fillAggregation.completeIdleGroups(context, fillGroups));
        beans.put("fillGroups", fillGroups);
        beans.put("fillWindowChecker", fillWindowChecker);
        // the aggregator's executor: a completed group waits for room instead of running on detection's thread
        FillHandOff fillHandOff = new FillHandOff("Camel (" + context.getName() + ") Aggregator aggregate-fills");
        beans.put("fillHandOff", fillHandOff);
        io.micrometer.core.instrument.FunctionCounter.builder(FillHandOff.WAITS, fillHandOff, FillHandOff::waits)
                .description("Times detection waited for the fill aggregator: the engine reads trades faster than it "
                        + "queues them").register(registry);
        // after the routes: the aggregator has stopped using them
        stopWithContext(context, () -> {
            fillWindowChecker.shutdownNow();
            fillHandOff.shutdown();
        });
        beans.put("tradeFilter", new TradeFilter(settings.minTradeSizeUsd(), settings.maxTradeAge(), targets, ledger, clock));
        beans.put("copyQueueFactory", queueFactory);
        beans.put("copyPlanner", planner);
        Cooldown cooldown = new Cooldown(settings.cooldownMs());
        beans.put("cooldown", cooldown);
        beans.put("orderCircuitBreaker", breaker);
        beans.put("orderPlacer", placer);
        beans.put("orderMonitor", monitor);
        beans.put("deadLetterRecorder", deadLetters);
        // being copied: sized in copy-trade, or placed (awaiting the venue) in dispatch-orders
        Supplier<Number> copying = () -> context.getInflightRepository().size("copy-trade")
                + context.getInflightRepository().size("dispatch-orders");
        beans.put("statusLogger", new StatusLogger(registry, queueFactory::queueLength,
                () -> copying.get().longValue(), breaker, 30_000));
        Recovery recovery = new Recovery(store, ledger, deadLetters, context.createProducerTemplate(),
                "direct:requeue-trades", settings.maxTradeAge(), clock, instanceId, exchange.knowsOrderIdBeforeSending());
        beans.put("recovery", recovery);
        beans.put("exchangeAdapter", exchange);
        beans.put("feedAdapter", feed);
        beans.putAll(TradeExpressions.all(fillAggregation));
        beans.putAll(RouteSteps.all(detector, admissions, metrics, targetPositions, fillAggregation, copyQueue, planner,
                cooldown, placer, recovery));
        beans.forEach(context.getRegistry()::bind);
        ChainWiring.install(context, chain, settings.targetTraders(), ledger, clock);

        metrics.gauge(PipelineMetrics.QUEUE_LENGTH, "Trades waiting in the copy queue", queueFactory::queueLength);
        metrics.gauge(PipelineMetrics.TRADES_PROCESSING, "Trades being copied right now", copying);
        metrics.gauge(PipelineMetrics.TRADES_IN_FLIGHT, "Admitted trades without an outcome yet", store::inFlightCount);
        metrics.gauge(PipelineMetrics.CIRCUIT_STATE, "Order circuit breaker: 0 closed, 1 open, 2 half-open, 3 other",
                () -> circuitStateCode(breaker.getState()));
        metrics.gauge(PipelineMetrics.EXPOSURE, "Cost of the positions we hold, USD",
                () -> portfolio.exposure().doubleValue());

        // Route files pass decimals as text (filter: acceptsAtLeast(${body}, 1000)); Camel 4.18 has no
        // String -> BigDecimal converter, so without this such a bean call fails to bind.
        context.getTypeConverterRegistry().addTypeConverter(BigDecimal.class, String.class, new TypeConverterSupport() {
            @Override
            public <T> T convertTo(Class<T> type, Exchange exchange, Object value) {
                return type.cast(new BigDecimal(((String) value).trim()));
            }
        });
        context.getManagementStrategy().addEventNotifier(new ShutdownRecorder(ledger, placer, instanceId != null));
        if (instanceId != null) {
            QueueLag lag = new QueueLag(shared.brokers(), shared.tradesTopic(), shared.group());
            stopWithContext(context, () -> lag.close());
            metrics.gauge(PipelineMetrics.QUEUE_LAG, "Kafka copy queue: records not yet committed by the group "
                    + "(-1: broker unreachable)", lag::lag);
        }
        // the book from the venue before the routes' consumers start; Camel calls this again (alreadyStarted) for every
        // route started afterwards, such as the queue consumers below, which need no second and third refresh
        context.addStartupListener((ctx, alreadyStarted) -> {
            if (!alreadyStarted) {
                monitor.refreshBook();
            }
        });
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
                // the queue consumers start below, once the context is Started
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) throws Exception {
                startQueueConsumers(ctx);
            }
        });
    }

    /** Runs {@code stop} when the context stops, after its routes (what the routes use is closed last). */
    /** How often an engine lock that can end on its own (PostgreSQL's) is checked. */
    static final java.time.Duration LOCK_CHECK_EVERY = java.time.Duration.ofSeconds(5);

    /**
     * Checks the store's engine lock every {@code every} while the engine runs. PostgreSQL's ends with the session that
     * holds it (a server restarted or failed over); SQLite's holds the file {@code <database>.lock}, which an operator
     * may delete as a stale lock. An engine started then (a supervisor's restart of something it thought stuck) takes
     * the lock and copies beside this one, both placing orders for the same trades. A lock lost is taken again at
     * once; one another engine holds by then stops this engine (one engine per store: the other one copies on).
     * Before, nothing looked at the lock after the start.
     */
    static void watchLock(CamelContext context, EngineLock lock, java.time.Duration every) {
        java.util.concurrent.ScheduledExecutorService watch = context.getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(lock, "store-lock-watch");
        AggregatedWarn unknown = new AggregatedWarn(LOG, "The store's engine lock was lost, and cannot be taken again "
                + "now; checked again every " + every.toSeconds() + " s", 60_000);
        watch.scheduleWithFixedDelay(() -> {
            switch (lock.check()) {
                case HELD -> {
                }
                case RETAKEN -> LOG.warn("The store's engine lock was lost (its database session ended, or its lock "
                        + "file was deleted or replaced) and was taken again: this engine is still the store's only one");
                case UNKNOWN -> unknown.event("no connection");
                case TAKEN_ELSEWHERE -> {
                    LOG.error("The store's engine lock was lost (its database session ended, or its lock file was "
                            + "deleted or replaced), and another engine holds it now: this engine stops, so that one "
                            + "engine alone copies on this store");
                    watch.shutdown();
                    Thread stopping = new Thread(() -> {
                        try {
                            context.stop();
                        } catch (RuntimeException e) {
                            LOG.error("Stopping after the store's lock was lost failed: {}", e.toString());
                        }
                    }, "store-lock-lost");
                    stopping.start();
                }
            }
        }, every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private static void stopWithContext(CamelContext context, Runnable stop) throws Exception {
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                stop.run();
            }
        }, true, true);
    }

    /**
     * The routes that consume a SEDA queue, in the order they start; their route files say {@code autoStartup: false}.
     * A SEDA consumer started while the context is still starting sleeps a whole second before its first poll (Camel's
     * SedaConsumer skips polling until the context is Started), so the first copies after every start or restart
     * waited a second (1.03-1.05 s from detection to acceptance). They start here, when the context is Started;
     * {@link PromptSedaComponent} removes the same sleep for a consumer that is itself still starting.
     *
     * <p>copy-trade starts first: its 5 consumers start in milliseconds, where dispatch-orders starts
     * MAX_IN_FLIGHT_ORDERS threads (200 by default, 0.1-0.35 s on a 2-core machine). The first copies of a start are
     * sized meanwhile and wait in dispatch-orders' queue (copy-trade's hand-off blocks when that queue is full), and
     * dispatch-orders' first consumer takes them as soon as it runs, while the others are still being started.
     */
    static final List<String> QUEUE_CONSUMER_ROUTES = List.of("copy-trade", "dispatch-orders");

    static void startQueueConsumers(CamelContext context) throws Exception {
        for (String id : QUEUE_CONSUMER_ROUTES) {
            if (context.getRoute(id) != null && context.getRouteController().getRouteStatus(id).isStartable()) {
                context.getRouteController().startRoute(id);
            }
        }
    }

    /**
     * With KAFKA_BROKERS set, points the routes' queue and tick endpoints at Kafka (the same routes, other URIs) and
     * returns this instance's name for the store's claims; otherwise null (one instance, in-process queue).
     */
    private static String sharedQueue(CamelContext context, SharedQueueSettings shared) {
        PropertiesComponent pc = context.getPropertiesComponent();
        if (!shared.shared()) {
            return null;
        }
        String brokers = shared.brokers().trim();
        shared.endpoints().forEach(pc::addOverrideProperty);
        // the Kafka consumer commits a record's offset after its outcome: copy-trade waits for dispatch-orders
        pc.addOverrideProperty("copytrader.queue.dispatch-wait", "Always");
        String id = shared.instanceId() == null ? "" : shared.instanceId().trim();
        if (id.isEmpty()) {
            id = hostName() + "-" + ProcessHandle.current().pid();
        }
        LOG.info("Several instances: copy queue and poll ticks on Kafka at {}, group {}; this instance is {}", brokers,
                shared.group(), id);
        return id;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "engine";
        }
    }

    /**
     * Takes the store's engine lock (one engine per store), waiting for an engine that is still stopping: up to the
     * shutdown timeout and 10 s more. A store that stays locked is a start refused with a clear line (exit code 2).
     */
    static EngineLock lockStore(CopyTraderSettings settings, PropertiesComponent pc) {
        Duration wait = Duration.ofSeconds(Long.parseLong(pc.parseUri("{{copytrader.shutdown.timeout-seconds}}").trim())
                + 10);
        try {
            return EngineLock.acquire(storeSettings(settings), wait, LOG::warn);
        } catch (EngineLock.HeldElsewhere | io.copytrader.store.StoreException e) {
            InvalidSettingException refused = new InvalidSettingException(e.getMessage());
            StartupFailure.record(refused);
            throw refused;
        } catch (IllegalArgumentException e) { // a SQLite URL that names no file
            InvalidSettingException invalid = new InvalidSettingException("STORE_URL (copytrader.store.url): " + e.getMessage());
            StartupFailure.record(invalid);
            throw invalid;
        }
    }

    /**
     * The store STORE_URL names: "memory", a SQLite file (the default) or PostgreSQL (STORE_USER, STORE_PASSWORD).
     * One that cannot be opened (unreachable, not a database, not writable) is a configuration error.
     */
    public static TradeStore openStore(CopyTraderSettings settings, Clock clock) {
        StoreSettings store = storeSettings(settings);
        TradeStore opened;
        try {
            opened = StoreFactory.open(store, clock);
        } catch (RuntimeException e) {
            InvalidSettingException invalid = new InvalidSettingException("STORE_URL (copytrader.store.url) must name a "
                    + "store that can be opened (a writable SQLite database file, or a reachable PostgreSQL database), but '"
                    + masked(store.url()) + "' could not be opened: " + StoreFactory.openFailure(e, store.url()));
            StartupFailure.record(invalid);
            throw invalid;
        }
        LOG.info("Store: {}", store.isMemory() ? "in memory (forgotten on exit)" : masked(store.url()));
        return opened;
    }

    /** STORE_URL, STORE_SQLITE_SYNC and the credentials from STORE_USER and STORE_PASSWORD; invalid ones refused. */
    private static StoreSettings storeSettings(CopyTraderSettings settings) {
        try {
            StoreSettings store = StoreSettings.of(settings.storeUrl())
                    .withSqliteSync(StoreSettings.SqliteSync.valueOf(settings.storeSqliteSync()));
            String user = System.getenv("STORE_USER");
            if (user != null && !user.isBlank()) {
                store = store.withCredentials(user, System.getenv("STORE_PASSWORD"));
            }
            return store;
        } catch (IllegalArgumentException e) {
            InvalidSettingException invalid = new InvalidSettingException("STORE_URL (copytrader.store.url): " + e.getMessage());
            StartupFailure.record(invalid);
            throw invalid;
        }
    }

    private static String masked(String url) {
        return StoreFactory.masked(url);
    }


    /**
     * The live Polymarket exchange, after its preflight (version, credentials, balance and allowances, sizing). A
     * start that could only fail every order is refused with one line (exit code 2).
     */
    private static ExchangeAdapter polymarketExchange(PolymarketConfig poly, VenueHttpClient http, Clock clock,
                                                      CopyTraderSettings settings) {
        try {
            PolymarketExchangeAdapter adapter = PolymarketVenue.exchange(poly, http, clock);
            PolymarketPreflight.run(adapter, http, settings.copyRatio(), settings.maxPositionSizeUsd());
            return adapter;
        } catch (IllegalStateException e) {
            InvalidSettingException refused = new InvalidSettingException(e.getMessage());
            StartupFailure.record(refused);
            throw refused;
        }
    }

    /**
     * The JVM's and the process's figures on /observe/metrics: memory, GC, threads, CPU. Bound here rather than
     * through {@code camel.metrics.binders}, whose discovery of binders (a Jandex index read, then Camel's bean
     * post-processing of each binder) was about 0.1 s of every launch, on the path to the first copy.
     */
    static void bindJvmMetrics(CamelContext context, MeterRegistry registry) throws Exception {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        stopWithContext(context, gc::close);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /**
     * The paper venue's URL: PAPER_VENUE_URL when set, else a venue started inside the engine (stopped with it,
     * after the routes drained).
     */
    private static String paperVenueUrl(CamelContext context, CopyTraderSettings settings, Map<String, Double> traders)
            throws Exception {
        if (!settings.paperVenueUrl().isBlank()) {
            return settings.paperVenueUrl();
        }
        return embedded(context, PaperVenue.start(paperVenueConfig(settings, traders)));
    }

    /** A started embedded venue, stopped with the context (after the routes drained): its URL. */
    private static String embedded(CamelContext context, PaperVenue venue) throws Exception {
        stopWithContext(context, venue::close);
        LOG.info("Embedded paper venue at {} (set PAPER_VENUE_URL to use an external one)", venue.baseUrl());
        return venue.baseUrl();
    }

    /** The embedded venue's settings: a free port, the seed, these traders, the starting cash. */
    private static PaperVenueConfig paperVenueConfig(CopyTraderSettings settings, Map<String, Double> traders) {
        return PaperVenueConfig.builder()
                .port(0)
                .seed(settings.paperSeed())
                .traders(traders)
                .startingCash(settings.paperStartingCash())
                .build();
    }

    /** Each target trader trading at PAPER_TRADE_RATE on the embedded venue. */
    private static Map<String, Double> paperTraders(CopyTraderSettings settings) {
        Map<String, Double> traders = new LinkedHashMap<>();
        settings.targetTraders().forEach(t -> traders.put(t.value(), settings.paperTradeRate().doubleValue()));
        return traders;
    }

    /**
     * The embedded paper venue, started on a thread of its own while the engine takes its store's lock, opens the
     * store and builds its parts (about 0.15 s of Vert.x's start and the servers' deployment, once on the path to the
     * first copy).
     */
    static final class VenueStart {
        private final FutureTask<PaperVenue> start;
        private boolean taken;

        VenueStart(PaperVenueConfig config) {
            start = new FutureTask<>(() -> PaperVenue.start(config));
            Thread thread = new Thread(start, "copytrader-paper-venue-start");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits for the venue: its URL, the venue stopped with the context from now on. */
        String url(CamelContext context) throws Exception {
            taken = true;
            return embedded(context, started());
        }

        /** The engine stopped before it used the venue: the venue, once started, is closed. */
        void abandon() {
            if (taken) {
                return; // stopped with the context
            }
            try {
                started().close();
            } catch (Exception e) {
                LOG.debug("The embedded paper venue did not start: {}", e.toString());
            }
        }

        PaperVenue started() throws Exception {
            try {
                return start.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }

    /** One order's retry policy: EXCHANGE_MAX_RETRIES, the backoff, and the cap on a venue's Retry-After. */
    static RetryPolicy retryPolicy(CopyTraderSettings s) {
        return new RetryPolicy(s.maxRetries(), s.retryInitialDelayMs(), s.retryMaxDelayMs(), s.maxRetryAfterMs());
    }

    /**
     * The longest a consumer can hold an order: every send waiting for a pooled connection, connecting and waiting
     * for the answer, and every wait between sends. An order SUBMITTING for longer with no consumer holding it was
     * left by a consumer that died (the monitor looks it up).
     */
    static Duration longestSend(CopyTraderSettings s, RetryPolicy retry) {
        Duration perSend = Duration.ofMillis(2 * s.connectTimeoutMs() + s.responseTimeoutMs());
        return retry.longestSend(perSend);
    }

    /**
     * Opens after MAX_CONSECUTIVE_FAILURES consecutive failures (a count window of that size, all of it failed),
     * stays open CIRCUIT_BREAKER_COOLDOWN_MINUTES, then lets one trial call through (half-open).
     */
    static CircuitBreaker circuitBreaker(CopyTraderSettings s) {
        int n = s.maxConsecutiveFailures();
        CircuitBreaker breaker = CircuitBreaker.of("exchange-orders", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(n)
                .minimumNumberOfCalls(n)
                .failureRateThreshold(100f)
                .waitDurationInOpenState(s.breakerCooldown())
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // only the venue's failures count (a bug, a bad market or a store error fails its own trade); a
                // trade's failure is counted once, by OrderBreaker, so what reaches the EIP already handled is ignored
                .recordException(Failures::countsTowardBreaker)
                .ignoreException(t -> !Failures.countsTowardBreaker(t))
                .build());
        breaker.getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                LOG.error("Circuit breaker OPEN after {} consecutive order failures; orders go to the dead letters for {} s",
                        n, s.breakerCooldown().toSeconds());
            } else {
                LOG.warn("Circuit breaker {}", e.getStateTransition());
            }
        });
        return breaker;
    }

    static int circuitStateCode(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> 0;
            case OPEN -> 1;
            case HALF_OPEN -> 2;
            default -> 3;
        };
    }

    /**
     * Once the routes have stopped (after the drain, or when the shutdown timeout cut it short), records each trade
     * still without an outcome by what its order says (docs/failure-semantics.md): no order, or one that never
     * reached the venue, ABANDONED(SHUTDOWN_ABANDONED); an order the venue accepted, COPIED; an order that may be at
     * the venue (SUBMITTING, UNKNOWN) stays in flight, for the next start's recovery to finish from the venue's
     * answer. Never ABANDONED with an order at the venue.
     */
    static final class ShutdownRecorder extends LifecycleEventNotifier {
        private static final java.util.Set<OrderRecordState> NOTHING_AT_VENUE =
                java.util.EnumSet.of(OrderRecordState.FAILED, OrderRecordState.REJECTED);
        private static final java.util.Set<OrderRecordState> MAYBE_AT_VENUE =
                java.util.EnumSet.of(OrderRecordState.SUBMITTING, OrderRecordState.UNKNOWN);

        private final TradeLedger ledger;
        private final OrderPlacer placer;
        /** On a shared Kafka queue what is left stays for the other instances: the queue still holds it. */
        private final boolean shared;

        ShutdownRecorder(TradeLedger ledger, OrderPlacer placer, boolean shared) {
            this.ledger = ledger;
            this.placer = placer;
            this.shared = shared;
        }

        @Override
        public boolean isEnabled(CamelEvent event) {
            return event instanceof CamelEvent.CamelContextRoutesStoppedEvent;
        }

        @Override
        public void notify(CamelEvent event) {
            placer.closeForShutdown(); // first: an order written after the look below is never sent
            if (shared) {
                LOG.info("Shutdown: trades still waiting or in flight stay with the other instances "
                        + "(uncommitted queue records are delivered to them; claimed orders are taken over)");
                return;
            }
            var left = ledger.store().inFlight();
            if (left.isEmpty()) {
                LOG.info("Shutdown: queue and in-flight orders drained; nothing abandoned");
                return;
            }
            int abandoned = 0;
            int lookedUpNextStart = 0;
            for (var trade : left) {
                if (ledger.isFollower(trade.key())) {
                    continue; // takes its aggregate's outcome, decided with the aggregate's first fill
                }
                OrderRecordState state = ledger.store().order(trade.clientOrderId()).map(OrderRecord::state).orElse(null);
                if (state != null && MAYBE_AT_VENUE.contains(state)) {
                    lookedUpNextStart++;
                    LOG.warn("Shutdown: trade {} left in flight: its order {} may be at the venue ({}); the next start "
                            + "looks it up", trade.key(), trade.clientOrderId(), state);
                } else if (state != null && !NOTHING_AT_VENUE.contains(state)) {
                    ledger.finish(trade, TradeOutcome.COPIED, null, "order " + state + " when the engine stopped");
                } else if (ledger.finish(trade, TradeOutcome.ABANDONED, Reason.SHUTDOWN_ABANDONED,
                        "not sent when the engine stopped")) {
                    abandoned++;
                    LOG.warn("Shutdown: abandoned trade {} (client order id {})", trade.key(), trade.clientOrderId());
                }
            }
            LOG.warn("Shutdown: {} trade(s) abandoned unsent, {} left in flight for the next start to look up",
                    abandoned, lookedUpNextStart);
        }
    }
}

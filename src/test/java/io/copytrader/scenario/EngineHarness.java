package io.copytrader.scenario;

import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.FillModelSettings;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueAdmin;
import io.copytrader.paper.PaperVenueConfig;
import io.copytrader.store.TradeStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Starts a paper venue and the engine together, as a user would run them: a plain Camel {@link Main} over the
 * project's routes/ and application.properties (no test-only routes or beans), with settings overridden the way
 * environment variables would. Closing stops both.
 */
public final class EngineHarness implements AutoCloseable {
    public static final String TRADER = "alice";

    private final PaperVenue venue;
    private final PaperVenueAdmin admin;
    private final Map<String, String> settings;
    private Main main;
    private TradeStore store;
    private MeterRegistry meters;

    private EngineHarness(PaperVenue venue, Map<String, String> settings) {
        this.venue = venue;
        this.admin = new PaperVenueAdmin(venue.baseUrl());
        this.settings = settings;
        startEngine();
    }

    private void startEngine() {
        main = new Main();
        main.setPropertyPlaceholderLocations("file:application.properties");
        main.addOverrideProperty("copytrader.paper.url", venue.baseUrl());
        settings.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("engine did not start", e);
        }
        // kept, so the books can be read after the engine stopped
        this.store = bean("tradeStore", TradeStore.class);
        this.meters = bean("metricsRegistry", MeterRegistry.class);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, String> settings = new LinkedHashMap<>();
        private FillModelSettings fillModel = FillModelSettings.alwaysImmediate();
        private BigDecimal cash = new BigDecimal("1000000");
        private java.util.function.Consumer<PaperVenue> beforeEngine = venue -> { };

        private Builder() {
            // a fast, permissive engine: the scenario sets what it is about
            settings.put("camel.management.enabled", "false");
            settings.put("camel.main.jmx-enabled", "false");
            settings.put("copytrader.feed.traders", TRADER);
            settings.put("copytrader.feed.poll-interval-ms", "20");
            settings.put("copytrader.filter.min-trade-size-usd", "0");
            settings.put("copytrader.copy.cooldown-ms", "0");
            // one order per trade, as most scenarios count them; JoinWaitingTradesScenarioTest and the crash tests
            // (the shipped default) join trades waiting behind their instrument's order
            settings.put("copytrader.queue.join-waiting", "false");
            settings.put("copytrader.copy.ratio", "1");
            settings.put("copytrader.copy.max-position-size-usd", "1000000");
            settings.put("copytrader.copy.min-order-size-usd", "0");
            settings.put("copytrader.monitor.interval-ms", "50");
            settings.put("copytrader.exchange.retry-initial-delay-ms", "10");
            settings.put("copytrader.exchange.retry-max-delay-ms", "50");
            settings.put("copytrader.shutdown.timeout-seconds", "10");
            settings.put("copytrader.store.url", "memory");
        }

        public Builder set(String key, Object value) {
            settings.put(key, String.valueOf(value));
            return this;
        }

        public Builder fillModel(FillModelSettings value) {
            fillModel = value;
            return this;
        }

        public Builder cash(String value) {
            cash = new BigDecimal(value);
            return this;
        }

        /** Runs once the venue is up and before the engine starts: what the engine's first poll is to find. */
        public Builder beforeEngine(java.util.function.Consumer<PaperVenue> setup) {
            beforeEngine = setup;
            return this;
        }

        public EngineHarness start() {
            PaperVenue venue = PaperVenue.start(PaperVenueConfig.builder()
                    .port(0).seed(7).traders(Map.of(TRADER, 0.0)).startingCash(cash).fillModel(fillModel).build());
            try {
                beforeEngine.accept(venue);
                return new EngineHarness(venue, Map.copyOf(settings));
            } catch (RuntimeException e) {
                venue.close();
                throw e;
            }
        }
    }

    public PaperVenue venue() {
        return venue;
    }

    public PaperVenueAdmin admin() {
        return admin;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public TradeStore store() {
        return store;
    }

    public CircuitBreaker breaker() {
        return bean("orderCircuitBreaker", CircuitBreaker.class);
    }

    public MeterRegistry meters() {
        return meters;
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    /** Makes the target trader trade {@code count} times, now. */
    public void emit(int count) {
        admin.emit(TRADER, count);
    }

    /** Waits until {@code detected} trades were admitted and every one has its outcome. */
    public void awaitSettled(long detected, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            assertThat(store().detectedCount()).isEqualTo(detected);
            assertThat(store().inFlightCount()).isZero();
        });
    }

    public long outcomes(TradeOutcome outcome) {
        return store().outcomeCounts().get(outcome);
    }

    public double counter(String name, String... tags) {
        var c = meters().find(name).tags(tags).counters();
        return c.stream().mapToDouble(x -> x.count()).sum();
    }

    public double gauge(String name) {
        var g = meters().find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }

    /** Every skipped trade was skipped for one of these reasons. */
    public void assertOnlySkipped(io.copytrader.domain.Reason... reasons) {
        double expected = 0;
        for (var r : reasons) {
            expected += counter("copytrader.trades.skipped", "reason", r.name());
        }
        assertThat(expected).as("skips with reasons " + java.util.Arrays.toString(reasons))
                .isEqualTo(outcomes(TradeOutcome.SKIPPED));
    }

    /**
     * Each of {@code n} trades copied once: n COPIED, n orders the venue accepted, none sent twice (the venue refuses a
     * client order id it has seen), and the accounting identity.
     */
    public void assertCopiedOnceEach(int n) {
        assertThat(outcomes(TradeOutcome.COPIED)).as("trades copied").isEqualTo(n);
        assertThat(admin().stats().ordersAccepted()).as("orders the venue accepted").isEqualTo(n);
        assertThat(admin().stats().duplicateOrdersRejected()).as("orders sent twice").isZero();
        assertAccountingIdentity();
    }

    /**
     * DESIGN section 5: detected = copied + skipped + dropped + failed + abandoned + expired + in flight, in the
     * store and in the metrics, and the two agree.
     */
    public void assertAccountingIdentity() {
        // a trade's outcome is counted just after it is written: a trade the store shows settled may be a moment
        // away from its count (awaitSettled waits on the store)
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).untilAsserted(this::accountingIdentity);
    }

    private void accountingIdentity() {
        Map<TradeOutcome, Long> byOutcome = store().outcomeCounts();
        long ended = byOutcome.values().stream().mapToLong(Long::longValue).sum();
        assertThat(store().detectedCount()).as("store: detected = outcomes + in flight")
                .isEqualTo(ended + store().inFlightCount());
        assertThat((long) counter("copytrader.trades.detected")).as("metrics: detected").isEqualTo(store().detectedCount());
        assertThat((long) counter("copytrader.trades.processed")).as("metrics: processed").isEqualTo(byOutcome.get(TradeOutcome.COPIED));
        assertThat((long) counter("copytrader.trades.skipped")).as("metrics: skipped").isEqualTo(byOutcome.get(TradeOutcome.SKIPPED));
        assertThat((long) (counter("copytrader.trades.failed") - counter("copytrader.trades.failed.replayed")))
                .as("metrics: failed now (ended FAILED less replayed since)").isEqualTo(byOutcome.get(TradeOutcome.FAILED));
        assertThat((long) counter("copytrader.trades.dropped")).as("metrics: dropped").isEqualTo(byOutcome.get(TradeOutcome.DROPPED));
        assertThat((long) counter("copytrader.trades.abandoned")).as("metrics: abandoned").isEqualTo(byOutcome.get(TradeOutcome.ABANDONED));
        assertThat((long) counter("copytrader.trades.expired")).as("metrics: expired").isEqualTo(byOutcome.get(TradeOutcome.EXPIRED));
        // while the engine runs (a stopped one has no book): the book settled or released every order it reserved,
        // but those still open at the venue; one it forgot would keep every later refresh of the book from the venue
        // from applying (Portfolio.reconcileIfUnchanged)
        io.copytrader.engine.Portfolio book = bean("portfolio", io.copytrader.engine.Portfolio.class);
        if (book != null) {
            java.util.Set<io.copytrader.domain.ClientOrderId> open = new java.util.HashSet<>();
            store().ordersIn(EnumSet.complementOf(EnumSet.of(OrderRecordState.FILLED, OrderRecordState.CANCELED,
                    OrderRecordState.REJECTED, OrderRecordState.FAILED))).forEach(o -> open.add(o.clientOrderId()));
            assertThat(book.outstanding()).as("orders reserved in the book and neither settled nor open").isSubsetOf(open);
        }
    }

    /**
     * Every order the venue accepted has a COPIED trade, and no trade was ABANDONED with an order at the venue: each
     * order in the outbox is looked up at the venue by its client order id (the outbox is written before anything
     * is sent, so it names every order the venue can have), and their number matches the venue's own count.
     */
    public void assertEveryAcceptedOrderHasACopiedTrade() {
        HttpClient http = HttpClient.newHttpClient();
        long atVenue = 0;
        for (OrderRecord order : store().ordersIn(EnumSet.allOf(OrderRecordState.class))) {
            int status;
            try {
                status = http.send(HttpRequest.newBuilder(URI.create(venue.baseUrl() + "/exchange/orders/"
                        + order.clientOrderId().value())).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (status == 200) {
                atVenue++;
                assertThat(store().outcome(order.tradeKey())).as("trade %s, whose order %s the venue accepted",
                        order.tradeKey(), order.clientOrderId()).contains(TradeOutcome.COPIED);
            } else {
                assertThat(status).as("lookup of %s", order.clientOrderId()).isEqualTo(404);
            }
        }
        assertThat(atVenue).as("orders at the venue, all of them in our outbox").isEqualTo(venue.stats().ordersAccepted());
    }

    /** Stops the engine gracefully (as on SIGTERM), leaving the venue up. */
    public void stopEngine() {
        main.stop();
    }

    /** Starts the engine again with the same settings (and so the same store), against the same venue. */
    public void restartEngine() {
        main.stop();
        startEngine();
    }

    @Override
    public void close() {
        try {
            main.stop();
        } finally {
            venue.close();
        }
    }
}

package io.copytrader.ops;

import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.StartupFailure;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueAdmin;
import io.copytrader.paper.PaperVenueConfig;
import io.copytrader.store.TradeStore;
import org.apache.camel.Route;
import org.apache.camel.component.timer.TimerConsumer;
import org.apache.camel.main.Main;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.ScheduledPollConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The `camel run` contract (DESIGN section 4): routes/ + application.properties + the project jar on the classpath
 * are the whole application. A plain {@link Main}, given nothing but the property location, loads the routes
 * and copies trades, with the shipped defaults. The only overrides: where the paper venue is (so the test can drive
 * it), a free management port (so parallel builds do not clash on 9876) and a store of its own (a user's
 * {@code data/copytrader.db} in the project folder is never touched by a test).
 */
@Timeout(60)
class PlainCamelMainContractTest {

    @Test
    void shouldRunTheWholeEngineFromRoutesAndPropertiesOnAPlainCamelMain(@TempDir Path dir) throws Exception {
        try (PaperVenue venue = PaperVenue.start(PaperVenueConfig.builder().port(0).seed(11)
                .traders(Map.of("alice", 0.0)).startingCash(new BigDecimal("10000")).build())) {
            Main main = new Main();
            main.setPropertyPlaceholderLocations("file:application.properties");
            main.addOverrideProperty("copytrader.paper.url", venue.baseUrl());
            main.addOverrideProperty("camel.management.port", String.valueOf(Jolokia.freePort()));
            main.addOverrideProperty("copytrader.store.url", "jdbc:sqlite:" + dir.resolve("copytrader.db"));
            main.start();
            try {
                // 1. the routes of routes/*.camel.yaml are loaded and running
                assertThat(main.getCamelContext().getRoutes()).extracting(Route::getRouteId)
                        .containsExactlyInAnyOrder(JolokiaHawtioTest.ROUTES.toArray(String[]::new));
                // 2. alice trades; with the default settings at least one of her trades is copied
                new PaperVenueAdmin(venue.baseUrl()).emit("alice", 20);
                TradeStore store = main.getCamelContext().getRegistry().lookupByNameAndType("tradeStore", TradeStore.class);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                    assertThat(store.detectedCount()).isEqualTo(20);
                    assertThat(store.inFlightCount()).isZero();
                });
                assertThat(store.outcomeCounts().get(TradeOutcome.COPIED)).isPositive();
                // 3. no event notifier asks for exchange events, so Camel builds no event object per exchange and hop
                // (LifecycleEventNotifier): with one that does, every trade pays for a dozen events nobody reads
                assertThat(main.getCamelContext().getManagementStrategy().getEventNotifiers())
                        .filteredOn(n -> !n.isIgnoreExchangeEvents()).isEmpty();
                assertThat(main.getCamelContext().getCamelContextExtension().isEventNotificationApplicable()).isFalse();
                // 4. the polls are scheduled on the monotonic clock (a ScheduledExecutorService), not by
                // java.util.Timer, which a step back of the wall clock stops for as long as the step
                for (String polling : List.of("tick-traders", "monitor-orders")) {
                    assertThat(main.getCamelContext().getRoute(polling).getConsumer()).as(polling)
                            .isInstanceOf(ScheduledPollConsumer.class)
                            .isNotInstanceOf(TimerConsumer.class);
                    // on the engine's executor, which an Error in one run does not stop (Camel's own ends the task)
                    assertThat(((ScheduledPollConsumer) main.getCamelContext().getRoute(polling).getConsumer())
                            .getScheduledExecutorService()).as(polling)
                            .isInstanceOf(io.copytrader.engine.GuardedScheduler.class);
                }
                // 5. the aggregator sends its groups on through the engine's hand-off, which never sends one on the
                // completing thread (Camel's own executor did when 1,000 waited, and the poll's stack overflowed)
                assertThat(main.getCamelContext().getRegistry().lookupByNameAndType("fillHandOff",
                        io.copytrader.engine.FillHandOff.class).getCompletedTaskCount()).isPositive();
            } finally {
                main.stop();
            }
        }
    }
    @Test
    void shouldRefuseAKeyNothingReadsOnAPlainCamelMainToo(@TempDir Path dir) {
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:application.properties");
        main.addOverrideProperty("camel.management.port", String.valueOf(Jolokia.freePort()));
        main.addOverrideProperty("copytrader.store.url", "jdbc:sqlite:" + dir.resolve("copytrader.db"));
        main.addOverrideProperty("copytrader.copy.ration", "0.4242");
        try {
            assertThatThrownBy(main::start).hasStackTraceContaining("copytrader.copy.ration (did you mean"
                    + " copytrader.copy.ratio?) is set, but no setting reads it").satisfies(e -> assertThat(
                    e.toString() + e.getCause()).doesNotContain("0.4242"));
            assertThat(dir.resolve("copytrader.db")).as("nothing opened").doesNotExist();
        } finally {
            main.stop();
            StartupFailure.take();
        }
    }
}

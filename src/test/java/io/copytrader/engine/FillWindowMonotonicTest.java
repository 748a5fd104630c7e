package io.copytrader.engine;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A group past its window by the monotonic clock completes though Camel's completion timeout, which goes by the wall
 * clock, is still far off: as after the wall clock stepped back (here Camel's timeout is an hour, as a step back of
 * an hour would leave it). The aggregate EIP is set up as in routes/aggregate-fills.camel.yaml, with the engine's
 * repository, checker and hand-off.
 */
@Timeout(60)
class FillWindowMonotonicTest {

    /**
     * The aggregate EIP of routes/aggregate-fills.camel.yaml with the engine's beans and Camel's completion timeout an
     * hour off; {@code checker} null for Camel's own.
     */
    private static void fillsRoute(CamelContext context, FillGroups groups, FillWindowChecker checker,
            FillHandOff handOff, List<Exchange> completed) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                var aggregate = from("direct:fills")
                        .aggregate(header("group"), (oldExchange, newExchange) -> oldExchange == null
                                ? newExchange : oldExchange)
                        .id(FillAggregation.AGGREGATOR_ID)
                        .aggregationRepository(groups)
                        .completionTimeout(3_600_000)
                        .completionTimeoutCheckerInterval(10)
                        .executorService(handOff);
                if (checker != null) {
                    aggregate.timeoutCheckerExecutorService(checker);
                }
                aggregate.process(completed::add);
            }
        });
    }

    @Test
    void shouldCompleteAGroupOnItsWindowByTheMonotonicClockWhenCamelsWallClockTimeoutIsFarOff() throws Exception {
        FillGroups groups = new FillGroups();
        FillWindowChecker checker = new FillWindowChecker(groups::hasGroups, 50);
        groups.onAdd(checker::groupOpened);
        FillHandOff handOff = new FillHandOff("Camel (test) Aggregator aggregate-fills");
        FillAggregation aggregation = new FillAggregation(50, null);
        List<Exchange> completed = new CopyOnWriteArrayList<>();
        try (CamelContext context = new DefaultCamelContext()) {
            checker.alsoAfterEachLook(() -> aggregation.completeIdleGroups(context, groups));
            fillsRoute(context, groups, checker, handOff, completed);
            context.start();
            long sent = System.nanoTime();
            try (ProducerTemplate fills = context.createProducerTemplate()) {
                fills.sendBodyAndHeader("direct:fills", "fill 1", "group", "alice order 1");
                fills.sendBodyAndHeader("direct:fills", "fill 2", "group", "alice order 1");
            }
            // completed one window (and a look) after its latest fill, not an hour later
            await().atMost(Duration.ofSeconds(10)).until(() -> completed.size() == 1);
            assertThat(System.nanoTime() - sent).isGreaterThanOrEqualTo(50_000_000L);
            assertThat(completed.get(0).getMessage().getBody()).isEqualTo("fill 1");
            assertThat(completed.get(0).getProperty(ExchangePropertyKey.AGGREGATED_COMPLETED_BY))
                    .as("by the engine's look, not Camel's timeout").isEqualTo("force");
            assertThat(groups.hasGroups()).isFalse();
        } finally {
            checker.shutdownNow();
            handOff.shutdownNow();
        }
    }

    /**
     * One fill in a group of the route above (Camel's timeout an hour off, no checker), then the engine's look of
     * {@code aggregation} once, an hour later by the repository's monotonic clock; returns the groups completed.
     */
    private static List<Exchange> completedByOneLookAnHourLater(FillAggregation aggregation) throws Exception {
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        FillGroups groups = new FillGroups(nanos::get);
        FillHandOff handOff = new FillHandOff("Camel (test) Aggregator aggregate-fills");
        List<Exchange> completed = new CopyOnWriteArrayList<>();
        try (CamelContext context = new DefaultCamelContext()) {
            fillsRoute(context, groups, null, handOff, completed);
            context.start();
            try (ProducerTemplate fills = context.createProducerTemplate()) {
                fills.sendBodyAndHeader("direct:fills", "fill 1", "group", "alice order 1");
            }
            nanos.addAndGet(TimeUnit.HOURS.toNanos(1));
            aggregation.completeIdleGroups(context, groups);
            // a group the look completed left the repository at once; it is sent on by the hand-off's thread
            if (groups.hasGroups()) {
                assertThat(completed).isEmpty();
                return List.of();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> completed.size() == 1);
            return List.copyOf(completed);
        } finally {
            handOff.shutdownNow();
        }
    }

    @Test
    void shouldCompleteOnlyTheGroupsPastTheirWindowByTheRepositorysClock() throws Exception {
        assertThat(completedByOneLookAnHourLater(new FillAggregation(3_600_000 - 1, null))).hasSize(1);
        assertThat(completedByOneLookAnHourLater(new FillAggregation(3_600_000 + 1, null))).isEmpty();
    }

    @Test
    void shouldCompleteNothingWhenAggregationIsOff() throws Exception {
        // a window of 0 completes every fill as it comes (the route's completion predicate); the look has nothing to do
        assertThat(completedByOneLookAnHourLater(new FillAggregation(0, null))).isEmpty();
    }
}

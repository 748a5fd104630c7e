package io.copytrader.scenario;

import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.engine.FillGroups;
import io.copytrader.engine.FillHandOff;
import io.copytrader.engine.GuardedScheduler;
import io.copytrader.engine.FillWindowChecker;
import io.copytrader.domain.Side;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.FeedPatterns;
import io.copytrader.paper.ScriptedFill;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import io.copytrader.domain.TraderId;
import io.copytrader.paper.PaperFeedAdapter;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.TradeStore;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.JdkVenueHttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One target order that sweeps the book arrives as many fills: we copy it as one order at the fills' volume-weighted
 * price, and every fill ends with that order's outcome (docs/aggregation.md).
 */
@Timeout(60)
class FillAggregationScenarioTest {

    @Test
    void shouldCopyTwentyFillsOfOneTargetOrderAsOneOrderAtTheirVolumeWeightedPrice() {
        try (EngineHarness h = EngineHarness.builder().start()) {
            // 1. alice's one buy of 100 tok-A is filled in 20 pieces, each a tick worse than the last
            emitOneOrderIn20Fills(h);
            h.awaitSettled(20, Duration.ofSeconds(30));

            // 2. all 20 source trades were copied, by one order at the venue
            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(20);
            assertThat(h.venue().stats().ordersAccepted()).isEqualTo(1);
            List<OrderRecord> orders = h.store().ordersIn(EnumSet.allOf(OrderRecordState.class));
            assertThat(orders).hasSize(1);
            OrderRecord order = orders.get(0);

            // 3. for the summed quantity, sized from the fills' volume-weighted price (ratio 1)
            List<DetectedTrade> fills = fillsOf(h, 20);
            BigDecimal quantity = fills.stream().map(DetectedTrade::quantity).reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal cost = fills.stream().map(f -> f.price().multiply(f.quantity())).reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(quantity).isEqualByComparingTo("100");
            assertThat(order.intent().quantity()).isEqualByComparingTo(quantity);
            assertThat(order.intent().source().quantity()).isEqualByComparingTo(quantity);
            assertThat(order.intent().source().price()).isEqualByComparingTo(cost.divide(quantity, MathContext.DECIMAL128));
            assertThat(fills).extracting(DetectedTrade::price).doesNotHaveDuplicates(); // really 20 prices
            // the order is the first fill's: its client order id derives from that fill
            assertThat(order.clientOrderId()).isEqualTo(fills.get(0).clientOrderId());
            h.assertAccountingIdentity();
            h.assertEveryAcceptedOrderHasACopiedTrade();
        }
    }

    @Test
    void shouldCompleteAGroupOnItsWindowAloneWithTheEnginesCheckerWhichParksWhenNoGroupIsOpen() {
        // the feed is polled once, at start: the end of a polled page completes every open group, and a poll during
        // the window would complete this one before the checker had to look
        try (EngineHarness h = EngineHarness.builder().set("copytrader.feed.poll-interval-ms", 3_600_000).start()) {
            FillWindowChecker checker = h.bean("fillWindowChecker", FillWindowChecker.class);
            // 1. the start's poll is over, and nothing is open: the checker has nothing scheduled (Camel's own would
            //    wake every 10 ms)
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> h.counter(io.copytrader.engine.PipelineMetrics.FEED_POLLS) >= 1
                            && h.context().getInflightRepository().size("tick-traders") == 0);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> checker.getQueue().isEmpty() && checker.getActiveCount() == 0);
            int lookedBefore = checker.runs();

            // 2. one fill of a target order, as the chain feed hands it over: no page ends after it and no next
            //    order follows, so only its window (50 ms) can complete its group
            Instant now = Instant.now();
            BigDecimal price = new BigDecimal("0.40");
            BigDecimal quantity = new BigDecimal("10");
            DetectedTrade fill = new DetectedTrade(new SourceTradeId("window-only-1"), new TraderId(EngineHarness.TRADER),
                    new InstrumentId("tok-A"), "Yes", Side.BUY, price, quantity, Decimals.notional(price, quantity), now,
                    now).withSourceOrder("0xwindow");
            h.context().createProducerTemplate().sendBody("direct:detect-chain", fill);
            h.awaitSettled(1, Duration.ofSeconds(30));

            // 3. copied once, by the window's completion, which the engine's checker looked for; then it parked again
            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            assertThat(h.venue().stats().ordersAccepted()).isEqualTo(1);
            assertThat(checker.runs()).as("looks for expired groups while the group was open").isGreaterThan(lookedBefore);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> checker.getQueue().isEmpty() && checker.getActiveCount() == 0);
            assertThat(h.bean("fillGroups", FillGroups.class).hasGroups()).isFalse();
            h.assertAccountingIdentity();
        }
    }

    /** Pages of 1,000 fills, each of its own order (every fill completes the group before it, on detection's thread). */
    private static EngineHarness.Builder pagesOf1000() {
        return EngineHarness.builder()
                .set("copytrader.feed.page-size", 1000)
                .set("copytrader.feed.poll-interval-ms", 200)
                .set("copytrader.queue.size", 3000);
    }

    /**
     * Holds the aggregator's thread up, as a machine short of CPU does, while alice trades 3,000 times; returns once
     * detection waits for room (1,000 groups in hand). Counting the latch down lets the thread go on.
     */
    private static CountDownLatch holdTheAggregatorsThreadUntilDetectionWaits(EngineHarness h) {
        FillHandOff handOff = h.bean("fillHandOff", FillHandOff.class);
        CountDownLatch release = new CountDownLatch(1);
        handOff.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        h.emit(3000);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> handOff.waits() > 0);
        return release;
    }

    /** Every accepted order is one copied trade's, none went out twice, the books balance. */
    private static void assertEachOrderOnce(EngineHarness h) {
        assertThat(h.venue().stats().ordersAccepted()).isEqualTo(h.outcomes(TradeOutcome.COPIED));
        assertThat(h.venue().stats().duplicateOrdersRejected()).isZero();
        h.assertAccountingIdentity();
        h.assertEveryAcceptedOrderHasACopiedTrade();
    }

    @Test
    @Timeout(120)
    void shouldMakeDetectionWaitForTheAggregatorsThreadRatherThanSendGroupsOnItsOwnStack() throws Exception {
        try (EngineHarness h = pagesOf1000().start()) {
            // 1. once 1,000 groups are in hand, detection waits for room. Camel's own executor sent the next groups on
            // detection's thread instead, each a level deeper in the poll's stack: it overflowed within the page, and
            // trades of it stayed in flight, never sent, until the engine stopped
            holdTheAggregatorsThreadUntilDetectionWaits(h).countDown();
            // 2. every trade is copied or skipped once, and no poll ended in an error
            h.awaitSettled(3000, Duration.ofSeconds(90));
            assertThat(h.bean("detectScheduler", GuardedScheduler.class).errors()).isZero();
            assertThat(h.meters().find(FillHandOff.WAITS).functionCounter().count()).as("the operator's counter")
                    .isEqualTo(h.bean("fillHandOff", FillHandOff.class).waits()).isPositive();
            assertThat(h.outcomes(TradeOutcome.COPIED) + h.outcomes(TradeOutcome.SKIPPED)).isEqualTo(3000);
            assertEachOrderOnce(h);
        }
    }

    @Test
    @Timeout(180)
    void shouldStopGracefullyWhileDetectionWaitsForTheAggregatorsThreadAndCopyEveryTradeOnceAfterARestart(
            @TempDir Path dir) throws Exception {
        try (EngineHarness h = pagesOf1000().set("copytrader.store.url", "jdbc:sqlite:" + dir.resolve("copytrader.db"))
                .start()) {
            // 1. detection waits for the aggregator's thread when the engine is told to stop
            CountDownLatch release = holdTheAggregatorsThreadUntilDetectionWaits(h);
            // 2. the thread goes on once the stop has begun (a slow thread, not a dead one); the stop ends
            org.apache.camel.CamelContext stopping = h.context();
            Thread releaser = new Thread(() -> {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(stopping::isStopping);
                release.countDown();
            });
            releaser.start();
            h.stopEngine();
            releaser.join(60_000);
            assertThat(stopping.isStopped()).isTrue();
            // 3. after a restart every trade ends once, and no order went out twice
            h.restartEngine();
            h.awaitSettled(3000, Duration.ofSeconds(120));
            assertThat(h.store().outcomeCounts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(3000);
            assertThat(h.outcomes(TradeOutcome.FAILED)).isZero();
            assertEachOrderOnce(h);
        }
    }

    @Test
    void shouldNotMergeFillsOfTwoDifferentTargetOrders() {
        // the aggregator's keys alone (the harness does not join trades waiting in the queue)
        try (EngineHarness h = EngineHarness.builder().start()) {
            // 1. two orders of alice on the same token and side, each filled in 5 pieces, in one poll
            List<ScriptedFill> fills = new ArrayList<>(FeedPatterns.splitOrder("order-1", "tok-A", Side.BUY, 5,
                    new BigDecimal("10"), new BigDecimal("0.40"), 1));
            fills.addAll(FeedPatterns.splitOrder("order-2", "tok-A", Side.BUY, 5, new BigDecimal("20"),
                    new BigDecimal("0.60"), 2));
            h.admin().emitFills(EngineHarness.TRADER, fills);
            h.awaitSettled(10, Duration.ofSeconds(30));

            // 2. two orders: one per target order, each of its own quantity
            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(10);
            assertThat(h.venue().stats().ordersAccepted()).isEqualTo(2);
            assertThat(h.store().ordersIn(EnumSet.allOf(OrderRecordState.class)))
                    .extracting(o -> o.intent().quantity().stripTrailingZeros().toPlainString())
                    .containsExactlyInAnyOrder("10", "20");
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldCopyEveryFillOnItsOwnWhenTheWindowIsZero() {
        try (EngineHarness h = EngineHarness.builder().set("copytrader.aggregation.window-ms", 0).start()) {
            emitOneOrderIn20Fills(h);
            h.awaitSettled(20, Duration.ofSeconds(30));

            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(20);
            assertThat(h.venue().stats().ordersAccepted()).isEqualTo(20);
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldPlaceExactlyOneOrderAfterARestartForFillsWhoseWindowWasOpenWhenTheEngineDied(@TempDir Path dir)
            throws Exception {
        String storeUrl = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        try (EngineHarness h = EngineHarness.builder().set("copytrader.store.url", storeUrl).start()) {
            // 1. the engine is down (as after a kill -9) when alice's one order is filled in 20 pieces ...
            h.stopEngine();
            emitOneOrderIn20Fills(h);
            // ... and it had admitted all 20 (durably, at detection) while their window was still open: no group
            //    completed, nothing linked, no order written, the feed cursor not moved
            TraderId alice = new TraderId(EngineHarness.TRADER);
            PaperFeedAdapter feed = new PaperFeedAdapter(h.venue().baseUrl());
            FeedPage page = feed.onPage(alice, null, new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5))
                    .execute(feed.fetchPage(alice, null)), Instant.now());
            try (TradeStore store = StoreFactory.open(storeUrl, Clock.systemUTC())) {
                for (FeedRow row : page.rows()) {
                    assertThat(store.admit(((FeedRow.Trade) row).trade())).isTrue();
                }
                assertThat(store.inFlightCount()).isEqualTo(20);
            }

            // 2. the engine starts again: recovery rebuilds the group from the store, the page read again is 20
            //    duplicates, and one order is placed for the 20 fills
            h.restartEngine();
            h.awaitSettled(20, Duration.ofSeconds(30));
            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(20);
            assertThat(h.venue().stats().ordersAccepted()).isEqualTo(1);
            assertThat(h.venue().stats().duplicateOrdersRejected()).isZero();
            List<OrderRecord> orders = h.store().ordersIn(EnumSet.allOf(OrderRecordState.class));
            assertThat(orders).singleElement().satisfies(o -> {
                assertThat(o.intent().quantity()).isEqualByComparingTo("100");
                assertThat(o.clientOrderId()).isEqualTo(fillsOf(h, 20).get(0).clientOrderId());
            });
            h.assertEveryAcceptedOrderHasACopiedTrade();
        }
    }

    /** alice buys 100 tok-A at 0.40 and up in one order, filled in 20 pieces (the paper venue's SPLIT_ORDER). */
    static void emitOneOrderIn20Fills(EngineHarness h) {
        h.admin().emitPattern(EngineHarness.TRADER, Map.of("pattern", "SPLIT_ORDER", "instrument", "tok-A",
                "side", "BUY", "quantity", new BigDecimal("100"), "price", new BigDecimal("0.40"), "pieces", 20,
                "orderId", "alice-sweep"));
    }

    /** The target's fills as we detected and stored them, in feed order. */
    private static List<DetectedTrade> fillsOf(EngineHarness h, int count) {
        List<DetectedTrade> fills = new ArrayList<>();
        for (int seq = 1; seq <= count; seq++) {
            fills.add(h.store().trade(EngineHarness.TRADER + ":" + EngineHarness.TRADER + "-" + seq).orElseThrow());
        }
        return fills;
    }
}

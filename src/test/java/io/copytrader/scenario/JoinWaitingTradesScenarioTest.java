package io.copytrader.scenario;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Side;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.paper.FaultTarget;
import io.copytrader.paper.ScriptedFill;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Trades of one target, instrument and side that wait in the copy queue behind an order of their instrument are copied
 * by one order when the instrument's turn comes, in their place in the instrument's order (docs/ordering.md,
 * "Joining"): against a venue whose first answer takes seconds, over HTTP.
 */
@Timeout(60)
class JoinWaitingTradesScenarioTest {

    @Test
    void shouldCopyTheBuysThatWaitedBehindAnOrderAsOneOrderAndKeepTheInstrumentsOrder() {
        // one order per instrument, so that buys wait behind a buy (by default only sells wait, docs/ordering.md)
        try (EngineHarness h = EngineHarness.builder().set("copytrader.queue.join-waiting", true)
                .set("copytrader.queue.one-order-per-instrument", true).start()) {
            // 1. alice buys 10 tok-A; the venue holds our copy's order for 3 s
            h.admin().injectFault(FaultSpec.burst(FaultKind.LATENCY, 1).withLatency(3000, 3000).onTarget(FaultTarget.ORDERS));
            h.admin().emitFills(EngineHarness.TRADER, List.of(ScriptedFill.buy("tok-A", "0.40", "10").ofOrder("o1")));
            await().atMost(Duration.ofSeconds(10)).until(() -> orders(h).size() == 1);

            // 2. meanwhile she buys tok-A twice more, sells some, buys again, and buys tok-B (five more orders)
            h.admin().emitFills(EngineHarness.TRADER, List.of(
                    ScriptedFill.buy("tok-A", "0.50", "10").ofOrder("o2"),
                    ScriptedFill.buy("tok-A", "0.60", "20").ofOrder("o3"),
                    ScriptedFill.sell("tok-A", "0.70", "5").ofOrder("o4"),
                    ScriptedFill.buy("tok-A", "0.40", "10").ofOrder("o5"),
                    ScriptedFill.buy("tok-B", "0.50", "10").ofOrder("o6")));
            // the four tok-A trades wait for their instrument while tok-B is copied
            await().atMost(Duration.ofSeconds(10)).until(() -> h.gauge(PipelineMetrics.QUEUE_LENGTH) == 4
                    && orders(h).size() == 2);
            h.awaitSettled(6, Duration.ofSeconds(30));

            // 3. all six copied by five orders: the two buys that waited together became one, at their volume-weighted
            //    price; the sell and the buy after it each on their own, in alice's order
            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(6);
            assertThat(h.counter(PipelineMetrics.QUEUE_JOINED)).isEqualTo(1.0);
            assertThat(h.venue().stats().ordersAccepted()).isEqualTo(5);
            List<OrderRecord> tokA = orders(h).stream().filter(o -> o.intent().instrument().value().equals("tok-A"))
                    .sorted(Comparator.comparing(OrderRecord::createdAt)).toList();
            assertThat(tokA).extracting(o -> o.intent().side() + " " + o.intent().quantity().stripTrailingZeros()
                    .toPlainString()).containsExactly("BUY 10", "BUY 30", "SELL 5", "BUY 10");
            DetectedTrade joined = tokA.get(1).intent().source();
            assertThat(joined.price()).as("(5 + 12) / 30").isEqualByComparingTo(
                    new BigDecimal("17").divide(new BigDecimal("30"), new java.math.MathContext(20)));
            assertThat(joined.key()).as("the order of the first of them").isEqualTo(trade(h, 2).key());
            assertThat(h.store().ended(trade(h, 3).key())).get().satisfies(e ->
                    assertThat(e.outcome()).isEqualTo(TradeOutcome.COPIED));
            assertThat(tokA.get(2).intent().side()).isEqualTo(Side.SELL);
            h.assertAccountingIdentity();
            h.assertEveryAcceptedOrderHasACopiedTrade();
        }
    }

    @Test
    void shouldSellTheSummedShareOfTheTargetsPositionWhenItsSellsWaitedTogether() {
        try (EngineHarness h = EngineHarness.builder().set("copytrader.queue.join-waiting", true).start()) {
            // 1. alice buys 100 tok-S and we copy it (ratio 1)
            h.admin().emitFills(EngineHarness.TRADER, List.of(ScriptedFill.buy("tok-S", "0.50", "100").ofOrder("b1")));
            h.awaitSettled(1, Duration.ofSeconds(30));
            // 2. she buys 100 more; the venue holds our copy for 3 s
            h.admin().injectFault(FaultSpec.burst(FaultKind.LATENCY, 1).withLatency(3000, 3000).onTarget(FaultTarget.ORDERS));
            h.admin().emitFills(EngineHarness.TRADER, List.of(ScriptedFill.buy("tok-S", "0.50", "100").ofOrder("b2")));
            await().atMost(Duration.ofSeconds(10)).until(() -> orders(h).size() == 2);
            // 3. meanwhile she sells 120 (three fifths of her 200), then 40 (half of the 80 left): four fifths in all.
            //    Three fifths of our 200 is more than the 100 settled: the first sell waits for the buy's answer, the
            //    second behind it
            h.admin().emitFills(EngineHarness.TRADER, List.of(ScriptedFill.sell("tok-S", "0.50", "120").ofOrder("s1"),
                    ScriptedFill.sell("tok-S", "0.50", "40").ofOrder("s2")));
            h.awaitSettled(4, Duration.ofSeconds(30));

            // 4. the two sells waited together and went out as one order: four fifths of our 200, as the two would
            //    have sold one after the other (three fifths, then half of the rest)
            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(4);
            assertThat(h.counter(PipelineMetrics.QUEUE_JOINED)).isEqualTo(1.0);
            assertThat(orders(h).stream().filter(o -> o.intent().side() == Side.SELL).toList()).singleElement()
                    .satisfies(o -> assertThat(o.intent().quantity()).isEqualByComparingTo("160"));
            assertThat(h.bean("portfolio", io.copytrader.engine.Portfolio.class)
                    .holding(new io.copytrader.domain.InstrumentId("tok-S")).quantity()).isEqualByComparingTo("40");
            h.assertAccountingIdentity();
        }
    }

    private static List<OrderRecord> orders(EngineHarness h) {
        return h.store().ordersIn(EnumSet.allOf(OrderRecordState.class));
    }

    /** alice's n-th fill as we detected it. */
    private static DetectedTrade trade(EngineHarness h, int n) {
        return h.store().trade(EngineHarness.TRADER + ":" + EngineHarness.TRADER + "-" + n).orElseThrow();
    }
}

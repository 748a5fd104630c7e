package io.copytrader.scenario;

import io.copytrader.domain.Side;
import io.copytrader.domain.TradeOutcome;
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
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-instrument order (docs/ordering.md): one token's trades in detection order, other tokens concurrently. */
@Timeout(60)
class CopyOrderScenarioTest {

    @Test
    void shouldCopyABuyThenASellOfOneTokenInOrderWhileOtherTokensAreCopiedConcurrently() {
        try (EngineHarness h = EngineHarness.builder().set("copytrader.feed.page-size", 1000).start()) {
            // 1. every order takes the exchange 300 ms to answer
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.LATENCY, 1.0).withLatency(300, 300)
                    .onTarget(FaultTarget.ORDERS));
            // 2. within one poll alice buys and then sells tok-A, and buys four other tokens
            h.admin().emitFills(EngineHarness.TRADER, List.of(
                    ScriptedFill.buy("tok-A", "0.50", "10"),
                    ScriptedFill.sell("tok-A", "0.52", "10"),
                    ScriptedFill.buy("tok-B", "0.40", "10"),
                    ScriptedFill.buy("tok-C", "0.40", "10"),
                    ScriptedFill.buy("tok-D", "0.40", "10"),
                    ScriptedFill.buy("tok-E", "0.40", "10")));
            h.awaitSettled(6, Duration.ofSeconds(30));

            // 3. all six were copied: the sell was sized after the buy filled, so there was something to sell
            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(6);
            Map<String, OrderRecord> orders = h.store().ordersIn(EnumSet.allOf(OrderRecordState.class)).stream()
                    .collect(Collectors.toMap(o -> o.intent().instrument().value() + "/" + o.intent().side(),
                            Function.identity()));
            OrderRecord buyA = orders.get("tok-A/" + Side.BUY);
            OrderRecord sellA = orders.get("tok-A/" + Side.SELL);
            assertThat(sellA.intent().quantity()).isEqualByComparingTo(new BigDecimal("10"));
            // 4. in order: the sell went out only after the venue had answered the buy
            assertThat(sellA.createdAt()).isAfterOrEqualTo(buyA.updatedAt());
            // 5. concurrently: the other tokens' orders were at the venue while the buy of tok-A was
            for (String other : List.of("tok-B", "tok-C", "tok-D", "tok-E")) {
                OrderRecord o = orders.get(other + "/" + Side.BUY);
                assertThat(o.createdAt()).as(other + " sent before tok-A's buy was answered").isBefore(buyA.updatedAt());
                assertThat(o.updatedAt()).as(other + " answered after tok-A's buy was sent").isAfter(buyA.createdAt());
            }
            assertThat(h.admin().stats().ordersAccepted()).isEqualTo(6);
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldPlaceBuysAndASellOfSettledSharesWhileOrdersBeforeThemAreOutAndAnotherSellOnlyOnceTheyAreAnswered() {
        try (EngineHarness h = EngineHarness.builder().set("copytrader.feed.page-size", 1000).start()) {
            // 1. alice buys 10 of tok-A, and so do we; then every order takes the exchange 300 ms to answer
            holdTenOfTokenAThenSlowDown(h);
            // 2. within one poll alice sells 4 of her 10, buys 10, buys 6, sells 5 of her 22, then 8 of her 17
            h.admin().emitFills(EngineHarness.TRADER, List.of(
                    ScriptedFill.sell("tok-A", "0.52", "4"),
                    ScriptedFill.buy("tok-A", "0.50", "10"),
                    ScriptedFill.buy("tok-A", "0.50", "6"),
                    ScriptedFill.sell("tok-A", "0.52", "5"),
                    ScriptedFill.sell("tok-A", "0.52", "8")));
            h.awaitSettled(6, Duration.ofSeconds(30));

            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(6);
            OrderRecord firstSell = tokenAOrder(h, Side.SELL, "4");
            OrderRecord buyOfTen = tokenAOrders(h, Side.BUY, "10").get(1);
            OrderRecord buyOfSix = tokenAOrder(h, Side.BUY, "6");
            // 3. the buys waited for nothing: each was sent while the order before it awaited its answer
            assertThat(buyOfTen.createdAt()).isBefore(firstSell.updatedAt());
            assertThat(buyOfSix.createdAt()).isBefore(buyOfTen.updatedAt());
            // 4. 5/22 of the 22 we hold once the buys fill is 5, and 6 of them are settled: sent while all three
            // were out, sized as it would be after their answers
            OrderRecord secondSell = tokenAOrder(h, Side.SELL, "5");
            assertThat(secondSell.createdAt()).isBefore(firstSell.updatedAt()).isBefore(buyOfTen.updatedAt())
                    .isBefore(buyOfSix.updatedAt());
            // 5. 8/17 of the 17 left is 8, and 1 is settled: it waited until the shares it sells were, which takes the
            //    buy of 10's answer (the buy of 6 adds only 6), then sold 8
            OrderRecord thirdSell = tokenAOrder(h, Side.SELL, "8");
            assertThat(thirdSell.createdAt()).isAfterOrEqualTo(buyOfTen.updatedAt());
            assertThat(h.bean("portfolio", io.copytrader.engine.Portfolio.class)
                    .holding(new io.copytrader.domain.InstrumentId("tok-A")).quantity()).isEqualByComparingTo("9");
            h.assertAccountingIdentity();
        }
    }

    @Test
    void shouldPlaceOneOrderOfATokenAtATimeWithOneOrderPerInstrument() {
        try (EngineHarness h = EngineHarness.builder().set("copytrader.feed.page-size", 1000)
                .set("copytrader.queue.one-order-per-instrument", true).start()) {
            holdTenOfTokenAThenSlowDown(h);
            h.admin().emitFills(EngineHarness.TRADER, List.of(
                    ScriptedFill.sell("tok-A", "0.52", "4"),
                    ScriptedFill.buy("tok-A", "0.50", "10")));
            h.awaitSettled(3, Duration.ofSeconds(30));

            assertThat(tokenAOrders(h, Side.BUY, "10").get(1).createdAt()).as("the buy waited for the sell's answer")
                    .isAfterOrEqualTo(tokenAOrder(h, Side.SELL, "4").updatedAt());
            h.assertAccountingIdentity();
        }
    }

    /** Alice buys 10 of tok-A and we copy it; from then on every order takes the exchange 300 ms to answer. */
    private static void holdTenOfTokenAThenSlowDown(EngineHarness h) {
        h.admin().emitFills(EngineHarness.TRADER, List.of(ScriptedFill.buy("tok-A", "0.50", "10")));
        h.awaitSettled(1, Duration.ofSeconds(30));
        h.admin().injectFault(FaultSpec.withProbability(FaultKind.LATENCY, 1.0).withLatency(300, 300)
                .onTarget(FaultTarget.ORDERS));
    }

    /** tok-A's one order of this side and quantity. */
    private static OrderRecord tokenAOrder(EngineHarness h, Side side, String quantity) {
        List<OrderRecord> found = tokenAOrders(h, side, quantity);
        assertThat(found).as("tok-A " + side + " " + quantity).hasSize(1);
        return found.get(0);
    }

    /** tok-A's orders of this side and quantity, in the order their intents were written. */
    private static List<OrderRecord> tokenAOrders(EngineHarness h, Side side, String quantity) {
        return h.store().ordersIn(EnumSet.allOf(OrderRecordState.class)).stream()
                .filter(o -> o.intent().instrument().value().equals("tok-A") && o.intent().side() == side
                        && o.intent().quantity().compareTo(new BigDecimal(quantity)) == 0)
                .sorted(java.util.Comparator.comparing(OrderRecord::createdAt)).toList();
    }
}

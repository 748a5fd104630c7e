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
}

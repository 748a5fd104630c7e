package io.copytrader.scenario;

import io.copytrader.domain.Side;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The target sells part of its position: we sell the same part of ours, not its quantity times the ratio. */
@Timeout(60)
class ProportionalSellScenarioTest {

    @Test
    void shouldSellHalfOfOurHoldingWhenTheTargetSellsHalfThenTheRestWhenItSellsTheRest() {
        // our position is capped at $20, so we hold far less than the target's 100 shares times the ratio of 1
        try (EngineHarness h = EngineHarness.builder()
                .set("copytrader.copy.max-position-size-usd", "20")
                .set("copytrader.feed.page-size", 1000).start()) {
            // 1. alice buys 100 tok-P, sells 50 (half), then the other 50: the paper venue's partial-exits pattern
            h.admin().emitPattern(EngineHarness.TRADER, Map.of("pattern", "PARTIAL_EXITS", "instrument", "tok-P",
                    "quantity", 100, "price", new BigDecimal("0.50"), "exits", 2));
            h.awaitSettled(3, Duration.ofSeconds(30));
            assertThat(h.outcomes(TradeOutcome.COPIED)).isEqualTo(3);

            // 2. we bought what $20 allows at the 2%-slipped limit: 20 / 0.51 = 39.21
            List<OrderRecord> orders = h.store().ordersIn(EnumSet.allOf(OrderRecordState.class)).stream()
                    .sorted(Comparator.comparing(OrderRecord::tradeKey, Comparator.comparingInt(
                            k -> Integer.parseInt(k.substring(k.lastIndexOf('-') + 1))))).toList();
            assertThat(orders).extracting(o -> o.intent().side()).containsExactly(Side.BUY, Side.SELL, Side.SELL);
            assertThat(orders.get(0).intent().quantity()).isEqualByComparingTo("39.21");
            // 3. alice sold half her position: we sold half ours (not min(50 x 1, 39.21) = everything)
            assertThat(orders.get(1).intent().quantity()).isEqualByComparingTo("19.60");
            // 4. alice sold the rest: we sold the rest
            assertThat(orders.get(2).intent().quantity()).isEqualByComparingTo("19.61");
            assertThat(h.bean("portfolio", io.copytrader.engine.Portfolio.class)
                    .holding(new io.copytrader.domain.InstrumentId("tok-P")).quantity()).isEqualByComparingTo(BigDecimal.ZERO);
            h.assertAccountingIdentity();
        }
    }
}

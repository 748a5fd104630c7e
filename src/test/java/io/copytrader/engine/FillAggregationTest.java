package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Side;
import io.copytrader.store.InMemoryTradeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FillAggregationTest {
    private static DetectedTrade fill(String id, Side side, String price, String quantity) {
        return Trades.trade(id, Trades.YES_TOKEN, side, price, quantity, Trades.T0).withSourceOrder("order-1");
    }

    @Test
    void shouldCombineFillsAtTheExactVolumeWeightedPriceWithTheFirstFillsIdentity() {
        DetectedTrade a = fill("f-1", Side.BUY, "0.40", "10");
        DetectedTrade b = fill("f-2", Side.BUY, "0.41", "30");
        DetectedTrade c = fill("f-3", Side.BUY, "0.43", "10");

        DetectedTrade combined = FillAggregation.combine(List.of(a, b, c));

        // (0.40 x 10 + 0.41 x 30 + 0.43 x 10) / 50 = 20.6 / 50 = 0.412, exactly
        assertThat(combined.price()).isEqualByComparingTo("0.412");
        assertThat(combined.quantity()).isEqualByComparingTo("50");
        assertThat(combined.notional()).isEqualByComparingTo("20.6");
        assertThat(combined.key()).isEqualTo(a.key());
        assertThat(combined.clientOrderId()).isEqualTo(a.clientOrderId());
        assertThat(combined.aggregationKey()).isEqualTo(a.aggregationKey());
        assertThat(combined.tsEvent()).isEqualTo(a.tsEvent());
    }

    @Test
    void shouldRoundAPriceThatDoesNotDivideHalfEvenTo20SignificantDigits() {
        DetectedTrade combined = FillAggregation.combine(List.of(fill("f-1", Side.SELL, "0.50", "1"),
                fill("f-2", Side.SELL, "0.51", "1"), fill("f-3", Side.SELL, "0.51", "1")));

        // 1.52 / 3 = 0.50666...
        assertThat(combined.price()).isEqualTo(new BigDecimal("0.50666666666666666667"));
        assertThat(combined.quantity()).isEqualByComparingTo("3");
    }

    @Test
    void shouldNeverMixSidesOrInstruments() {
        DetectedTrade buy = fill("f-1", Side.BUY, "0.40", "10");
        assertThatThrownBy(() -> FillAggregation.combine(List.of(buy, fill("f-2", Side.SELL, "0.40", "10"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SELL");
        DetectedTrade otherToken = Trades.trade("f-3", Trades.NO_TOKEN, Side.BUY, "0.40", "1", Trades.T0)
                .withSourceOrder("order-1");
        assertThatThrownBy(() -> FillAggregation.combine(List.of(buy, otherToken)))
                .isInstanceOf(IllegalArgumentException.class);
        // and the correlation key already keeps them apart
        assertThat(buy.aggregationKey()).isNotEqualTo(fill("f-2", Side.SELL, "0.40", "10").aggregationKey())
                .isNotEqualTo(otherToken.aggregationKey());
    }

    @Test
    void shouldGiveAFillWithoutASourceOrderAGroupOfItsOwn() {
        DetectedTrade a = Trades.buy("f-1", "0.40", "1");
        DetectedTrade b = Trades.buy("f-2", "0.40", "1");
        assertThat(a.aggregationKey()).isEqualTo(a.key()).isNotEqualTo(b.aggregationKey());
    }

    @Test
    void shouldAggregateExchangesKeepingTheFirstOnesPropertiesAndLinkTheFollowersWhenComplete() {
        InMemoryTradeStore store = new InMemoryTradeStore(Clock.systemUTC());
        TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(new SimpleMeterRegistry()));
        FillAggregation strategy = new FillAggregation(50, ledger);
        DefaultCamelContext camel = new DefaultCamelContext();
        DetectedTrade a = fill("f-1", Side.BUY, "0.40", "10");
        DetectedTrade b = fill("f-2", Side.BUY, "0.50", "10");
        ledger.admit(a);
        ledger.admit(b);
        Exchange first = new DefaultExchange(camel);
        first.getMessage().setBody(a);
        first.setProperty(TargetPositions.PROPERTY, new BigDecimal("7"));
        Exchange second = new DefaultExchange(camel);
        second.getMessage().setBody(b);

        Exchange agg = strategy.aggregate(strategy.aggregate(null, first), second);
        assertThat(strategy.completes(agg)).isFalse();
        strategy.completed(agg);

        DetectedTrade combined = agg.getMessage().getBody(DetectedTrade.class);
        assertThat(combined.price()).isEqualByComparingTo("0.45");
        assertThat(agg.getProperty(TargetPositions.PROPERTY)).isEqualTo(new BigDecimal("7"));
        assertThat(agg.getMessage().getHeader(FillAggregation.AGGREGATE_HEADER)).isEqualTo(2);
        assertThat(store.aggregateLinks()).containsExactlyEntriesOf(java.util.Map.of(b.key(), a.key()));

        // the combined copy's outcome reaches every fill, each counted once
        ledger.finish(combined, io.copytrader.domain.TradeOutcome.COPIED, null, null);
        assertThat(store.inFlight()).isEmpty();
        assertThat(store.outcome(b.key())).contains(io.copytrader.domain.TradeOutcome.COPIED);
        assertThat(store.outcomeCounts().get(io.copytrader.domain.TradeOutcome.COPIED)).isEqualTo(2);
    }

    @Test
    void shouldCompleteEachFillAtOnceWhenTheWindowIsZero() {
        FillAggregation off = new FillAggregation(0, null);
        Exchange e = new DefaultExchange(new DefaultCamelContext());
        e.getMessage().setBody(fill("f-1", Side.BUY, "0.40", "10"));
        assertThat(off.completes(e)).isTrue();
    }
}

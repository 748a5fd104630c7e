package io.copytrader.engine;

import io.copytrader.config.TargetSettings;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.TradeStore;
import io.copytrader.venue.PositionSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static io.copytrader.engine.Trades.ALICE;
import static io.copytrader.engine.Trades.YES_TOKEN;
import static io.copytrader.engine.Trades.buy;
import static io.copytrader.engine.Trades.sell;
import static io.copytrader.engine.Trades.usd;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The copy-trade route's sizing step: the order the book sized, reserved, or the skip recorded. Global rules as in
 * {@link SizingTest}: a buy of 100 at 0.50 is a copy of 10 shares at limit 0.51 (5.10 USD).
 */
class CopyPlannerTest {
    final InMemoryTradeStore store = new InMemoryTradeStore(Clock.systemUTC());
    final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(new SimpleMeterRegistry()));
    final Portfolio portfolio = new Portfolio();
    final CopyPlanner planner = new CopyPlanner(SizingTest.RULES, portfolio, ledger);

    @BeforeEach
    void startWithCash() {
        portfolio.reconcile(usd("1000"), List.of(), List.of(), Map.of());
    }

    DetectedTrade admitted(DetectedTrade trade) {
        assertThat(ledger.admit(trade)).isTrue();
        return trade;
    }

    @Test
    void shouldPlanTheSizedOrderAndReserveItInTheBook() {
        DetectedTrade trade = admitted(buy("b1", "0.50", "100"));

        CopyIntent intent = planner.plan(trade);

        assertThat(intent.clientOrderId()).isEqualTo(trade.clientOrderId());
        assertThat(intent.side()).isEqualTo(Side.BUY);
        assertThat(intent.quantity()).isEqualByComparingTo("10");
        assertThat(intent.limitPrice()).isEqualByComparingTo("0.51");
        assertThat(intent.notional()).isEqualByComparingTo("5.10");
        assertThat(portfolio.cash()).isEqualByComparingTo("994.90");
        assertThat(store.inFlight()).as("copied only once its order is answered").containsExactly(trade);
    }

    @Test
    void shouldRecordTheSkipAndPlanNothing() {
        DetectedTrade trade = admitted(sell("s1", "0.50", "100"));

        assertThat(planner.plan(trade)).isNull();

        assertThat(store.ended(trade.key())).contains(new TradeStore.Ended(TradeOutcome.SKIPPED, Reason.RISK_NOTHING_TO_SELL));
        assertThat(portfolio.outstanding()).isEmpty();
    }

    @Test
    void shouldSizeATargetsTradesWithItsOwnRatioAndPositionCap() {
        // alice copies at half her size with a 20 USD cap: 50 shares at 0.51 (25.50) shrink to 20 / 0.51 = 39.21
        TargetSettings alice = new TargetSettings(ALICE, new BigDecimal("0.5"), new BigDecimal("20"), BigDecimal.ONE,
                List.of(), List.of());
        CopyPlanner perTarget = new CopyPlanner(SizingTest.RULES, Map.of(ALICE, alice), portfolio, ledger);

        CopyIntent intent = perTarget.plan(admitted(buy("b1", "0.50", "100")));

        assertThat(intent.quantity()).isEqualByComparingTo("39.21");
        assertThat(intent.notional()).isLessThanOrEqualTo(usd("20"));
    }

    @Test
    void shouldSendASellOfSettledSharesAtOnceWhileABuyOfItsInstrumentIsOut() {
        // 100 settled, a buy of 10 out; the target sells a tenth of its 1,000: 11 of our 110, all settled
        portfolio.reconcile(usd("1000"), List.of(new PositionSnapshot(YES_TOKEN,
                new BigDecimal("100"), new BigDecimal("0.40"))), List.of(), Map.of());
        planner.plan(admitted(buy("b1", "0.50", "100")));

        assertThat(planner.sellGoesNow(sell("s1", "0.50", "100"), new BigDecimal("1000"))).isTrue();
        assertThat(planner.sellGoesNow(sell("s2", "0.50", "1000"), new BigDecimal("1000")))
                .as("a sell of everything waits for the buy's answer").isFalse();
    }
}

package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Side;
import io.copytrader.store.InMemoryTradeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.apache.camel.support.ExpressionAdapter;
import org.awaitility.Awaitility;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
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

    /** A fill read dated further ahead than the filter lets through joins no other: it would ride on their copy. */
    @Test
    void shouldGiveAFillReadDatedAheadAGroupOfItsOwn() {
        DetectedTrade leader = fill("f-1", Side.BUY, "0.40", "10");
        DetectedTrade within = new DetectedTrade(new SourceTradeId("f-2"), leader.trader(), leader.instrument(), "Yes",
                Side.BUY, new BigDecimal("0.40"), BigDecimal.TEN, new BigDecimal("4.00"), Trades.T0.plusSeconds(10),
                Trades.T0, "order-1");
        DetectedTrade ahead = new DetectedTrade(new SourceTradeId("f-3"), leader.trader(), leader.instrument(), "Yes",
                Side.BUY, new BigDecimal("0.40"), BigDecimal.TEN, new BigDecimal("4.00"), Trades.T0.plusSeconds(40),
                Trades.T0, "order-1");

        FillAggregation aggregation = new FillAggregation(50, null);
        assertThat(aggregation.groupKey(within)).isEqualTo(aggregation.groupKey(leader));
        assertThat(aggregation.groupKey(ahead)).isEqualTo(ahead.key()).isNotEqualTo(aggregation.groupKey(leader));
    }

    /**
     * With a max trade age under the 10 s tolerance the filter skips a fill dated ahead by more than that age: the
     * group must use the same bound, or a fill the filter skips alone would be copied inside its order's aggregate.
     */
    @Test
    void shouldJudgeAFillDatedAheadByTheFiltersBound() {
        DetectedTrade leader = fill("f-1", Side.BUY, "0.40", "10");
        DetectedTrade sevenAhead = new DetectedTrade(new SourceTradeId("f-2"), leader.trader(), leader.instrument(),
                "Yes", Side.BUY, new BigDecimal("0.40"), BigDecimal.TEN, new BigDecimal("4.00"),
                Trades.T0.plusSeconds(7), Trades.T0, "order-1");
        Duration maxTradeAge = Duration.ofSeconds(5);
        Duration bound = TradeFilter.maxAhead(maxTradeAge);
        assertThat(TradeFilter.datedAhead(sevenAhead, sevenAhead.tsInit(), bound)).as("the filter skips it").isTrue();

        FillAggregation shortAge = new FillAggregation(50, bound, null);
        assertThat(shortAge.groupKey(sevenAhead)).isEqualTo(sevenAhead.key())
                .isNotEqualTo(shortAge.groupKey(leader));
        assertThat(FillAggregation.groupKey(sevenAhead, bound)).isEqualTo(sevenAhead.key());
        assertThat(new FillAggregation(50, null).groupKey(sevenAhead)).as("with the 10 s tolerance it joins")
                .isEqualTo(leader.aggregationKey());
    }

    /** The engine's fill groups and the routes' aggregation key use the filter's bound of MAX_TRADE_AGE_MS. */
    @Test
    void shouldGroupTheEnginesFillsByTheFiltersBoundOfItsMaxTradeAge() throws Exception {
        DetectedTrade leader = fill("f-1", Side.BUY, "0.40", "10");
        DetectedTrade sevenAhead = new DetectedTrade(new SourceTradeId("f-2"), leader.trader(), leader.instrument(),
                "Yes", Side.BUY, new BigDecimal("0.40"), BigDecimal.TEN, new BigDecimal("4.00"),
                Trades.T0.plusSeconds(7), Trades.T0, "order-1");
        try (io.copytrader.scenario.EngineHarness h = io.copytrader.scenario.EngineHarness.builder()
                .set("copytrader.filter.max-trade-age-ms", 5000).start()) {
            assertThat(h.bean("fillAggregation", FillAggregation.class).groupKey(sevenAhead))
                    .isEqualTo(sevenAhead.key());
            Exchange exchange = new org.apache.camel.support.DefaultExchange(h.context());
            exchange.getMessage().setBody(sevenAhead);
            assertThat(h.bean(TradeExpressions.AGGREGATION_KEY, org.apache.camel.Expression.class)
                    .evaluate(exchange, String.class)).as("the routes' aggregation key").isEqualTo(sevenAhead.key());
        }
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

    @Test
    void shouldGiveASingleFillBackAsItIs() {
        DetectedTrade a = fill("f-1", Side.BUY, "0.40", "10");

        assertThat(FillAggregation.combine(List.of(a))).isEqualTo(a);
    }

    // ---- the aggregate-fills route's aggregator (its steps as in routes/aggregate-fills.camel.yaml, a window of a
    // minute, so a group completes only when it is made to): what reaches the queue, in order

    final InMemoryTradeStore routeStore = new InMemoryTradeStore(Clock.systemUTC());
    final TradeLedger routeLedger = new TradeLedger(routeStore, new PipelineMetrics(new SimpleMeterRegistry()));
    final FillAggregation windowOfAMinute = new FillAggregation(60_000, routeLedger);
    final List<DetectedTrade> queued = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    private RouteBuilder aggregateFills() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:fills").routeId("aggregate-fills")
                        .process(windowOfAMinute::beforeFill)
                        .aggregate(new ExpressionAdapter() {
                            @Override
                            public Object evaluate(Exchange exchange) {
                                return exchange.getMessage().getBody(DetectedTrade.class).aggregationKey();
                            }
                        }, windowOfAMinute).id(FillAggregation.AGGREGATOR_ID)
                        .aggregationRepository(new FillGroups())
                        .completionTimeout(60_000)
                        .completionPredicate(windowOfAMinute::completes)
                        .process(windowOfAMinute::completed)
                        .process(e -> queued.add(e.getMessage().getBody(DetectedTrade.class)));
            }
        };
    }

    private static DetectedTrade fillOf(String trader, String id, String order, String quantity) {
        return new DetectedTrade(new SourceTradeId(id), new TraderId(trader), Trades.YES_TOKEN, "Yes", Side.BUY,
                new BigDecimal("0.40"), new BigDecimal(quantity), new BigDecimal("0.40").multiply(new BigDecimal(quantity)),
                Trades.T0, Trades.T0).withSourceOrder(order);
    }

    private void send(ProducerTemplate producer, DetectedTrade fill) {
        routeLedger.admit(fill);
        producer.sendBody("direct:fills", fill);
    }

    @Test
    void shouldQueueATargetsGroupAsSoonAsItsNextFillIsOfAnotherOrder() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(aggregateFills());
            camel.start();
            ProducerTemplate producer = camel.createProducerTemplate();

            send(producer, fillOf("alice", "a-1", "order-1", "10"));
            send(producer, fillOf("alice", "a-2", "order-1", "5"));
            send(producer, fillOf("bob", "b-1", "order-9", "1")); // another target's order completes nothing of alice's
            assertThat(queued).isEmpty();

            send(producer, fillOf("alice", "a-3", "order-2", "7"));

            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> queued.size() == 1);
            assertThat(queued.get(0).key()).isEqualTo(fillOf("alice", "a-1", "order-1", "10").key());
            assertThat(queued.get(0).quantity()).as("order-1's two fills, not order-2's").isEqualByComparingTo("15");

            // a route reloaded (ROUTES_RELOAD): the new route's aggregator completes the groups, not the stopped one
            camel.getRouteController().stopRoute("aggregate-fills");
            camel.removeRoute("aggregate-fills");
            camel.addRoutes(aggregateFills());
            send(producer, fillOf("alice", "a-4", "order-3", "2"));
            send(producer, fillOf("alice", "a-5", "order-4", "3"));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> queued.size() == 2);
            assertThat(queued.get(1).quantity()).as("order-3's fill").isEqualByComparingTo("2");
        }
    }

    @Test
    void shouldQueueTheGroupsOfAForcedCompletionInTheOrderTheyWereOpened() throws Exception {
        // the end of a polled page completes every open group: one instrument's groups reach the queue in order
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(aggregateFills());
            camel.start();
            ProducerTemplate producer = camel.createProducerTemplate();
            List<String> traders = List.of("t9", "t3", "t7", "t1", "t5", "t8", "t2", "t6", "t4");
            for (String trader : traders) {
                send(producer, fillOf(trader, trader + "-f1", trader + "-order", "1"));
            }
            send(producer, fillOf("t9", "t9-f2", "t9-order", "1")); // a group keeps its place when a fill joins it
            assertThat(queued).isEmpty();

            camel.getProcessor(FillAggregation.AGGREGATOR_ID, AggregateProcessor.class).forceCompletionOfAllGroups();

            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> queued.size() == traders.size());
            assertThat(queued).extracting(t -> t.trader().value()).containsExactlyElementsOf(traders);
            assertThat(queued.get(0).quantity()).isEqualByComparingTo("2");
        }
    }
}

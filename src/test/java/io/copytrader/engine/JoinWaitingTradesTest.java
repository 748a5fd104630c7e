package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Side;
import io.copytrader.domain.TraderId;
import io.copytrader.store.InMemoryTradeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.support.UnitOfWorkHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.copytrader.engine.Trades.NO_TOKEN;
import static io.copytrader.engine.Trades.T0;
import static io.copytrader.engine.Trades.YES_TOKEN;
import static io.copytrader.engine.Trades.trade;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trades of one target, instrument and side that wait in the copy queue behind an order of their instrument are copied
 * by one order when the instrument's turn comes (docs/ordering.md, "Joining"): which trades join, and what the copy
 * step makes of them; and which taken trades keep their instrument's next trades waiting.
 */
class JoinWaitingTradesTest {
    final InMemoryTradeStore store = new InMemoryTradeStore(Clock.systemUTC());
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(registry));
    final CopyQueue copyQueue = new CopyQueue(false, ledger, Duration.ofSeconds(60), Clock.systemUTC());
    final CamelContext camel = new DefaultCamelContext();
    final List<String> done = new ArrayList<>();

    @AfterEach
    void closeCamel() throws Exception {
        camel.close();
    }

    Exchange queued(DetectedTrade trade) {
        ledger.admit(trade);
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(trade);
        // what the SEDA producer hands over to the queued copy: the sender's completions (the aggregator's count)
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange e) {
                done.add(trade.key());
            }
        });
        return exchange;
    }

    /** The copy queue (joining or not) with these trades offered, in order. */
    BlockingQueue<Exchange> queueWith(boolean join, DetectedTrade... trades) {
        return queueWith(join, false, trades);
    }

    BlockingQueue<Exchange> queueWith(boolean join, boolean oneOrderPerInstrument, DetectedTrade... trades) {
        BlockingQueue<Exchange> q = new DropOldestQueueFactory(ledger, join, oneOrderPerInstrument).create(100);
        for (DetectedTrade t : trades) {
            q.offer(queued(t));
        }
        return q;
    }

    static DetectedTrade buy(String id, String price, String quantity) {
        return trade(id, YES_TOKEN, Side.BUY, price, quantity, T0);
    }

    @Test
    void shouldJoinOnlyTradesOfTheSameTargetInstrumentAndSideThatWereNotPutBack() {
        Exchange first = queued(buy("b1", "0.50", "10"));

        assertThat(DropOldestQueueFactory.joins(first, queued(buy("b2", "0.60", "1")))).isTrue();
        assertThat(DropOldestQueueFactory.joins(first, queued(trade("s1", YES_TOKEN, Side.SELL, "0.5", "1", T0))))
                .as("the other side").isFalse();
        assertThat(DropOldestQueueFactory.joins(first, queued(trade("n1", NO_TOKEN, Side.BUY, "0.5", "1", T0))))
                .as("another instrument").isFalse();
        DetectedTrade bobs = new DetectedTrade(new io.copytrader.domain.SourceTradeId("bob1"), new TraderId("bob"),
                YES_TOKEN, "Yes", Side.BUY, new BigDecimal("0.5"), BigDecimal.ONE, new BigDecimal("0.5"), T0, T0);
        assertThat(DropOldestQueueFactory.joins(first, queued(bobs))).as("another target").isFalse();
        Exchange putBack = queued(buy("b3", "0.50", "1"));
        putBack.getMessage().setHeader(CopyQueue.REQUEUED_HEADER, "true");
        assertThat(DropOldestQueueFactory.joins(first, putBack)).as("re-queued by a restart or a replay").isFalse();
        assertThat(DropOldestQueueFactory.joins(putBack, queued(buy("b4", "0.50", "1")))).isFalse();
    }

    @Test
    void shouldCopyTheTradesThatWaitedBehindTheTakenOneAsOneTradeThatEndsThemAll() throws Exception {
        DetectedTrade b1 = buy("b1", "0.50", "10");
        DetectedTrade b2 = buy("b2", "0.60", "5");
        DetectedTrade b3 = buy("b3", "0.70", "5");
        DetectedTrade s1 = trade("s1", YES_TOKEN, Side.SELL, "0.40", "2", T0);
        BlockingQueue<Exchange> q = queueWith(true, b1, b2, b3, s1);

        Exchange taken = q.poll(1, TimeUnit.SECONDS);
        copyQueue.take(taken);

        DetectedTrade combined = taken.getMessage().getBody(DetectedTrade.class);
        assertThat(combined.key()).as("the first trade's identity, so its client order id").isEqualTo(b1.key());
        assertThat(combined.quantity()).isEqualByComparingTo("20");
        assertThat(combined.price()).as("(5 + 3 + 3.5) / 20").isEqualByComparingTo("0.575");
        assertThat(combined.notional()).isEqualByComparingTo("11.5");
        assertThat(taken.getMessage().getHeader(FillAggregation.AGGREGATE_HEADER)).isEqualTo(3);
        assertThat(taken.getProperty(CopyQueue.JOINED)).isNull();
        assertThat(store.aggregateMembers(b1.key())).extracting(DetectedTrade::key)
                .containsExactlyInAnyOrder(b2.key(), b3.key());
        assertThat(registry.get(PipelineMetrics.QUEUE_JOINED).counter().count()).isEqualTo(2.0);
        assertThat(q).as("the sell waits for the instrument").hasSize(1);

        assertThat(done).as("the joined trades' completions wait for the order's exchange").isEmpty();
        UnitOfWorkHelper.doneSynchronizations(taken, taken.getExchangeExtension().handoverCompletions());
        assertThat(done).containsExactlyInAnyOrder(b1.key(), b2.key(), b3.key());
        assertThat(q.poll(1, TimeUnit.SECONDS).getMessage().getBody(DetectedTrade.class).key())
                .as("the instrument freed when the order's exchange is done").isEqualTo(s1.key());
    }

    @Test
    void shouldLeaveOutTheTradesAChainReorgRemovedWhileTheyWaited() throws Exception {
        DetectedTrade b1 = buy("b1", "0.50", "10");
        DetectedTrade b2 = buy("b2", "0.60", "5");
        DetectedTrade b3 = buy("b3", "0.70", "5");
        BlockingQueue<Exchange> q = queueWith(true, b1, b2, b3);
        ledger.retract(b2.key()); // what ChainDetection does (and records b2 SKIPPED) when its fill is reorged out

        Exchange taken = q.poll(1, TimeUnit.SECONDS);
        copyQueue.take(taken);

        DetectedTrade combined = taken.getMessage().getBody(DetectedTrade.class);
        assertThat(combined.key()).isEqualTo(b1.key());
        assertThat(combined.quantity()).as("b1 and b3 only").isEqualByComparingTo("15");
        assertThat(store.aggregateMembers(b1.key())).extracting(DetectedTrade::key).containsExactly(b3.key());
        assertThat(registry.get(PipelineMetrics.QUEUE_JOINED).counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldLetTheNextTradeLeadWhenTheTakenOneWasRemovedByAReorg() throws Exception {
        DetectedTrade b1 = buy("b1", "0.50", "10");
        DetectedTrade b2 = buy("b2", "0.60", "5");
        DetectedTrade b3 = buy("b3", "0.70", "5");
        BlockingQueue<Exchange> q = queueWith(true, b1, b2, b3);
        ledger.retract(b1.key());

        Exchange taken = q.poll(1, TimeUnit.SECONDS);
        copyQueue.take(taken);

        DetectedTrade combined = taken.getMessage().getBody(DetectedTrade.class);
        assertThat(combined.key()).as("b2's order, not the reorged b1's").isEqualTo(b2.key());
        assertThat(combined.quantity()).isEqualByComparingTo("10");
        assertThat(store.aggregateMembers(b2.key())).extracting(DetectedTrade::key).containsExactly(b3.key());
        assertThat(store.aggregateMembers(b1.key())).isEmpty();
    }

    @Test
    void shouldCopyTheOneTradeLeftWhenTheTakenOneWasRemovedByAReorg() throws Exception {
        DetectedTrade b1 = buy("b1", "0.50", "10");
        DetectedTrade b2 = buy("b2", "0.60", "5");
        BlockingQueue<Exchange> q = queueWith(true, b1, b2);
        ledger.retract(b1.key());

        Exchange taken = q.poll(1, TimeUnit.SECONDS);
        copyQueue.take(taken);

        DetectedTrade left = taken.getMessage().getBody(DetectedTrade.class);
        assertThat(left.key()).as("b2 is copied, not the reorged b1").isEqualTo(b2.key());
        assertThat(left.quantity()).isEqualByComparingTo("5");
        assertThat(taken.getMessage().getHeader(FillAggregation.AGGREGATE_HEADER)).as("one trade, not joined").isNull();
        assertThat(store.aggregateMembers(b2.key())).isEmpty();
        assertThat(store.aggregateMembers(b1.key())).isEmpty();
        assertThat(q).isEmpty();
    }

    @Test
    void shouldJoinNothingWhenTurnedOff() throws Exception {
        BlockingQueue<Exchange> q = queueWith(false, buy("b1", "0.50", "10"), buy("b2", "0.50", "10"));

        Exchange taken = q.poll(1, TimeUnit.SECONDS);
        copyQueue.take(taken);

        assertThat(taken.getMessage().getBody(DetectedTrade.class).quantity()).isEqualByComparingTo("10");
        assertThat(q).hasSize(1);
    }

    // ---- which taken trades keep the next trades of their instrument waiting (docs/ordering.md, "The rule")

    @Test
    void shouldHoldEveryTradeBackWhileOneOfItsInstrumentIsBeingSizedAndASellWhileOrdersAreOut() {
        DropOldestQueueFactory sellsWait = new DropOldestQueueFactory(ledger, false, false, e -> false);
        DropOldestQueueFactory sellsGo = new DropOldestQueueFactory(ledger, false, false, e -> true);
        Exchange buy = queued(buy("b1", "0.50", "1"));
        Exchange sell = queued(trade("s1", YES_TOKEN, Side.SELL, "0.5", "1", T0));
        for (DropOldestQueueFactory f : List.of(sellsWait, sellsGo)) {
            assertThat(f.holdsBack(buy, 1, 1)).as("a buy while a trade is being sized").isTrue();
            assertThat(f.holdsBack(buy, 2, 0)).as("a buy while orders are out").isFalse();
            assertThat(f.holdsBack(sell, 2, 1)).as("a sell while a trade is being sized").isTrue();
        }
        assertThat(sellsWait.holdsBack(sell, 1, 0)).as("a sell the settled shares do not cover").isTrue();
        assertThat(sellsGo.holdsBack(sell, 1, 0)).as("a sell the settled shares cover").isFalse();
        DropOldestQueueFactory oneAtATime = new DropOldestQueueFactory(ledger, false, true, e -> true);
        assertThat(oneAtATime.holdsBack(buy, 1, 0)).isTrue();
        assertThat(oneAtATime.holdsBack(sell, 1, 0)).isTrue();
        for (Side side : Side.values()) {
            Exchange putBack = queued(trade("p-" + side, YES_TOKEN, side, "0.5", "1", T0));
            putBack.getMessage().setHeader(CopyQueue.REQUEUED_HEADER, "true");
            assertThat(sellsGo.holdsBack(putBack, 1, 0)).as("re-queued " + side).isTrue();
        }
    }

    @Test
    void shouldTakeABuyAtOnceAndASellWhenTheExchangesOfItsInstrumentBeforeItAreDone() throws Exception {
        DetectedTrade s1 = trade("s1", YES_TOKEN, Side.SELL, "0.40", "2", T0);
        DetectedTrade b1 = buy("b1", "0.50", "10");
        DetectedTrade s2 = trade("s2", YES_TOKEN, Side.SELL, "0.40", "2", T0);
        BlockingQueue<Exchange> q = queueWith(true, s1, b1, s2);

        Exchange sell = q.poll(1, TimeUnit.SECONDS);
        assertThat(sell.getMessage().getBody(DetectedTrade.class).key()).isEqualTo(s1.key());
        assertThat(q.poll()).as("the buy waits while the sell is being sized").isNull();
        DropOldestQueueFactory.sized(sell);
        Exchange buy = q.poll(1, TimeUnit.SECONDS);
        assertThat(buy.getMessage().getBody(DetectedTrade.class).key()).as("a buy does not wait").isEqualTo(b1.key());
        DropOldestQueueFactory.sized(buy);
        assertThat(q.poll()).as("the sell after them waits").isNull();

        UnitOfWorkHelper.doneSynchronizations(buy, buy.getExchangeExtension().handoverCompletions());
        assertThat(q.poll()).as("the first sell is still out").isNull();
        UnitOfWorkHelper.doneSynchronizations(sell, sell.getExchangeExtension().handoverCompletions());
        assertThat(q.poll(1, TimeUnit.SECONDS).getMessage().getBody(DetectedTrade.class).key()).isEqualTo(s2.key());
    }

    @Test
    void shouldTakeABuyWhileAnotherBuyOfItsInstrumentIsOut() throws Exception {
        BlockingQueue<Exchange> q = queueWith(false, false, buy("b1", "0.50", "10"), buy("b2", "0.50", "10"));

        Exchange first = q.poll(1, TimeUnit.SECONDS);
        assertThat(q.poll()).as("b2 waits while b1 is being sized").isNull();
        DropOldestQueueFactory.sized(first);
        assertThat(q.poll()).as("the book counts b1 as filled: b2 is sized against it").isNotNull();
    }

    @Test
    void shouldTakeASellWhileABuyIsOutWhenTheSettledSharesCoverItButNotWhileASellIsBeingSized() throws Exception {
        DetectedTrade s1 = trade("s1", YES_TOKEN, Side.SELL, "0.40", "2", T0);
        DetectedTrade s2 = trade("s2", YES_TOKEN, Side.SELL, "0.40", "2", T0);
        Set<String> covered = ConcurrentHashMap.newKeySet();
        BlockingQueue<Exchange> q = new DropOldestQueueFactory(ledger, false, false,
                e -> covered.contains(e.getMessage().getBody(DetectedTrade.class).key())).create(100);
        q.offer(queued(buy("b1", "0.50", "10")));
        q.offer(queued(s1));
        q.offer(queued(s2));

        Exchange buy = q.poll(1, TimeUnit.SECONDS);
        DropOldestQueueFactory.sized(buy);
        assertThat(q.poll()).as("s1 is not covered: it waits for the buy's answer").isNull();
        covered.add(s1.key());
        covered.add(s2.key());
        Exchange sell = q.poll(1, TimeUnit.SECONDS);
        assertThat(sell.getMessage().getBody(DetectedTrade.class).key()).as("covered: taken while b1 is out")
                .isEqualTo(s1.key());
        assertThat(q.poll()).as("s2 waits while s1 is being sized").isNull();
        DropOldestQueueFactory.sized(sell);
        assertThat(q.poll(1, TimeUnit.SECONDS).getMessage().getBody(DetectedTrade.class).key()).isEqualTo(s2.key());
    }

    @Test
    void shouldCopyASellTakenWhileABuyIsOutAloneAndGateTheSellsBehindItEachOnItsOwn() throws Exception {
        // we hold 5 settled and buy 10: the target sells a tenth (s1: covered by the settled shares, it goes), then
        // the rest (s2: a sell of everything, which waits for the buy's answer); joined, the two would go as one sell
        // of everything while the buy is out, sized on the 5 settled shares, and leave the 10 bought unsold
        DetectedTrade b0 = buy("b0", "0.50", "10");
        DetectedTrade s1 = trade("s1", YES_TOKEN, Side.SELL, "0.40", "1", T0);
        DetectedTrade s2 = trade("s2", YES_TOKEN, Side.SELL, "0.40", "9", T0);
        Set<String> covered = ConcurrentHashMap.newKeySet();
        covered.add(s1.key());
        BlockingQueue<Exchange> q = new DropOldestQueueFactory(ledger, true, false,
                e -> covered.contains(e.getMessage().getBody(DetectedTrade.class).key())).create(100);
        List.of(b0, s1, s2).forEach(t -> q.offer(queued(t)));

        Exchange buy = q.poll(1, TimeUnit.SECONDS);
        DropOldestQueueFactory.sized(buy);
        Exchange sell = q.poll(1, TimeUnit.SECONDS);
        copyQueue.take(sell);

        DetectedTrade taken = sell.getMessage().getBody(DetectedTrade.class);
        assertThat(taken.key()).isEqualTo(s1.key());
        assertThat(taken.quantity()).as("s1 alone").isEqualByComparingTo("1");
        assertThat(store.aggregateMembers(s1.key())).isEmpty();
        assertThat(q).as("s2 waits for its own turn").hasSize(1);
        DropOldestQueueFactory.sized(sell);
        assertThat(q.poll()).as("s2 is not covered: it waits for the buy's answer").isNull();

        UnitOfWorkHelper.doneSynchronizations(buy, buy.getExchangeExtension().handoverCompletions());
        UnitOfWorkHelper.doneSynchronizations(sell, sell.getExchangeExtension().handoverCompletions());
        assertThat(q.poll(1, TimeUnit.SECONDS).getMessage().getBody(DetectedTrade.class).key()).isEqualTo(s2.key());
    }

    @Test
    void shouldJoinSellsTakenWithNothingOfTheirInstrumentOutAndBuysTakenWhileOrdersAreOut() throws Exception {
        DetectedTrade s1 = trade("s1", YES_TOKEN, Side.SELL, "0.40", "1", T0);
        DetectedTrade s2 = trade("s2", YES_TOKEN, Side.SELL, "0.40", "9", T0);
        DetectedTrade b1 = buy("b1", "0.50", "10");
        DetectedTrade b2 = buy("b2", "0.50", "5");
        BlockingQueue<Exchange> q = queueWith(true, s1, s2, b1, b2);

        Exchange sell = q.poll(1, TimeUnit.SECONDS);
        copyQueue.take(sell);
        assertThat(sell.getMessage().getBody(DetectedTrade.class).quantity()).as("s1 and s2").isEqualByComparingTo("10");
        DropOldestQueueFactory.sized(sell);
        Exchange buy = q.poll(1, TimeUnit.SECONDS);
        copyQueue.take(buy);
        assertThat(buy.getMessage().getBody(DetectedTrade.class).quantity()).as("b1 and b2 while the sell is out")
                .isEqualByComparingTo("15");
    }

    @Test
    void shouldHoldTheInstrumentWithEveryTradeWithOneOrderPerInstrument() throws Exception {
        BlockingQueue<Exchange> q = queueWith(false, true, trade("s1", YES_TOKEN, Side.SELL, "0.40", "2", T0),
                buy("b1", "0.50", "10"));

        assertThat(q.poll(1, TimeUnit.SECONDS)).isNotNull();
        assertThat(q.poll()).as("the buy waits for the sell's exchange").isNull();
    }
}

package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TraderId;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.StoreException;
import io.copytrader.store.TradeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import static io.copytrader.engine.Trades.buy;
import static io.copytrader.engine.Trades.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A polled page admitted in one store call before the split; the idempotent consumer then reads each answer. */
class TradeAdmissionsTest {
    final InMemoryTradeStore store = new InMemoryTradeStore(Clock.fixed(T0, ZoneOffset.UTC));
    final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(new SimpleMeterRegistry()));
    final TradeAdmissions admissions = new TradeAdmissions(ledger);
    final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    @Test
    void shouldAdmitThePageBeforeTheSplitAndAnswerEachTradeOnceFromIt() {
        DetectedTrade seen = buy("t0", "0.40", "10");
        assertThat(ledger.admit(seen)).isTrue();
        DetectedTrade t1 = buy("t1", "0.40", "10");
        DetectedTrade t2 = buy("t2", "0.40", "10");
        Exchange page = new DefaultExchange(context);
        page.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(t1, seen, t2, t1), "c-1"));

        // 1. the page's trades are stored before any of them is split off
        admissions.admitPage(page);
        assertThat(store.detectedCount()).isEqualTo(3);
        assertThat(store.inFlightCount()).isEqualTo(3);

        // 2. each split copy is answered from the page: new, already seen, new, and the same trade a second time
        assertThat(admissions.add(split(page, t1), t1.key())).isTrue();
        assertThat(admissions.add(split(page, seen), seen.key())).isFalse();
        assertThat(admissions.add(split(page, t2), t2.key())).isTrue();
        assertThat(admissions.add(split(page, t1), t1.key())).isFalse();
        assertThat(store.detectedCount()).isEqualTo(3);

        // 3. a trade the page did not hold is admitted on its own, as before
        DetectedTrade t3 = buy("t3", "0.40", "10");
        assertThat(admissions.add(split(page, t3), t3.key())).isTrue();
        assertThat(store.detectedCount()).isEqualTo(4);
    }

    @Test
    void shouldAdmitAPageOfTwoInOneCommitAndAPageOfOneAtItsSplit() {
        DetectedTrade t1 = buy("t1", "0.40", "10");
        DetectedTrade t2 = buy("t2", "0.40", "10");
        Exchange two = new DefaultExchange(context);
        two.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(t1, t2), "c-1"));

        admissions.admitPage(two);

        assertThat(store.detectedCount()).as("both stored before the split").isEqualTo(2);
        assertThat(admissions.add(split(two, t1), t1.key())).isTrue();
        assertThat(admissions.add(split(two, t2), t2.key())).isTrue();

        DetectedTrade t3 = buy("t3", "0.40", "10");
        Exchange one = new DefaultExchange(context);
        one.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(t3), "c-2"));
        admissions.admitPage(one);
        assertThat(store.detectedCount()).as("nothing to share a commit with: admitted by the dedup step").isEqualTo(2);
        assertThat(admissions.add(split(one, t3), t3.key())).isTrue();
        assertThat(store.detectedCount()).isEqualTo(3);
    }

    @Test
    void shouldTellWhetherTheTicksPagesAdmittedANewTradeAndCarryNothingOfAPageToTheNext() {
        DetectedTrade t1 = buy("t1", "0.40", "10");
        DetectedTrade t2 = buy("t2", "0.40", "10");
        DetectedTrade t3 = buy("t3", "0.40", "10");
        assertThat(ledger.admit(t1)).isTrue();
        // a tick's pages go through one exchange, one after the other
        Exchange tick = new DefaultExchange(context);
        assertThat(admissions.admittedThisTick(tick)).as("no page yet").isFalse();

        // 1. a page whose commit admits t2; its split answers t1 (admitted before) and stops there
        tick.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(t1, t2), "c-1", true));
        admissions.admitPage(tick);
        assertThat(admissions.add(split(tick, t1), t1.key())).isFalse();
        assertThat(admissions.admittedThisTick(tick)).isFalse();

        // 2. the next page, of t2 alone, on the same exchange: answered by the store (a duplicate), never by the
        //    answer the page before left unread, which would let t2 through a second time
        tick.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(t2), "c-2", true));
        admissions.admitPage(tick);
        assertThat(admissions.add(split(tick, t2), t2.key())).isFalse();
        assertThat(admissions.admittedThisTick(tick)).as("pages of trades admitted before").isFalse();

        // 3. a page with a new trade: the tick admitted something new, and stays so over an empty page after it
        tick.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(t3), "c-3", true));
        admissions.admitPage(tick);
        assertThat(admissions.add(split(tick, t3), t3.key())).isTrue();
        assertThat(admissions.admittedThisTick(tick)).isTrue();
        tick.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(), "c-3"));
        admissions.admitPage(tick);
        assertThat(admissions.admittedThisTick(tick)).isTrue();
        assertThat(admissions.admittedThisTick(new DefaultExchange(context))).as("another tick").isFalse();
        assertThat(store.detectedCount()).isEqualTo(3);
    }

    @Test
    void shouldNeverForgetAnAdmittedTrade() {
        DetectedTrade t1 = buy("t1", "0.40", "10");
        assertThat(admissions.contains(t1.key())).isFalse();
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(t1);
        assertThat(admissions.add(exchange, t1.key())).isTrue();
        assertThat(admissions.contains(t1.key())).isTrue();

        // the dedup step's removal on a failure, and a clear: the trade stays admitted, a second sighting a duplicate
        assertThat(admissions.remove(t1.key())).as("nothing removed").isFalse();
        admissions.clear();
        assertThat(admissions.contains(t1.key())).isTrue();
        assertThat(admissions.add(exchange, t1.key())).isFalse();
        assertThat(store.detectedCount()).isEqualTo(1);
    }

    @Test
    void shouldHoldThePagesCursorForATradeTheStoreRefusedWhileItCanStillBeCopied() {
        DetectedTrade t1 = buy("t1", "0.40", "10");
        DetectedTrade refused = buy("t2", "0.40", "10");
        DetectedTrade t3 = buy("t3", "0.40", "10");
        PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
        TradeAdmissions holding = new TradeAdmissions(new TradeLedger(refusing(Set.of(refused.key())), metrics))
                .holdingTheCursorOfRefusedTrades(Duration.ofSeconds(30), Clock.fixed(T0.plusSeconds(29),
                        ZoneOffset.UTC));
        Exchange page = new DefaultExchange(context);
        page.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(t1, refused, t3), "c-1"));

        holding.admitPage(page);
        assertThat(holding.cursorHeld(page)).as("nothing refused yet").isFalse();
        assertThat(holding.add(split(page, t1), t1.key())).isTrue();
        // the refused trade is passed over (no dead letter), and the page's cursor is not to be stored
        assertThat(holding.add(split(page, refused), refused.key())).isFalse();
        assertThat(holding.add(split(page, t3), t3.key())).isTrue();
        assertThat(holding.cursorHeld(page)).isTrue();
        assertThat(metrics.registry().get(PipelineMetrics.TRADES_ADMISSION_HELD).counter().count()).isEqualTo(1);
        assertThat(store.detectedCount()).isEqualTo(2);

        // a page of one trade holds its cursor too
        Exchange one = new DefaultExchange(context);
        one.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(refused), "c-2"));
        holding.admitPage(one);
        assertThat(holding.add(split(one, refused), refused.key())).isFalse();
        assertThat(holding.cursorHeld(one)).isTrue();
    }

    @Test
    void shouldSendATradeTheStoreRefusedToTheDeadLettersOnceItIsTooOldToCopy() {
        DetectedTrade refused = buy("t2", "0.40", "10"); // dated T0
        TradeAdmissions holding = new TradeAdmissions(new TradeLedger(refusing(Set.of(refused.key())),
                new PipelineMetrics(new SimpleMeterRegistry())))
                .holdingTheCursorOfRefusedTrades(Duration.ofSeconds(30), Clock.fixed(T0.plusSeconds(30),
                        ZoneOffset.UTC));
        Exchange page = new DefaultExchange(context);
        page.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(refused), "c-1"));

        holding.admitPage(page);
        // as old as the maximum trade age: it would be skipped as stale, and must not hold the trader's feed for ever
        Exchange copy = split(page, refused);
        assertThatThrownBy(() -> holding.add(copy, refused.key()))
                .isInstanceOf(StoreException.class).hasMessageContaining("no room for this one");
        assertThat(holding.cursorHeld(page)).isFalse();

        // and when the store refuses its dead letter too, the cursor is held after all: the trade is in no table
        assertThat(TradeAdmissions.holdForUnwrittenLetter(copy)).isTrue();
        assertThat(holding.cursorHeld(page)).isTrue();
        // a failure of a trade the store took (a later step's) is not held: its letter is written later instead
        Exchange admittedCopy = split(page, buy("t3", "0.40", "10"));
        assertThat(TradeAdmissions.holdForUnwrittenLetter(admittedCopy)).isFalse();
    }

    @Test
    void shouldLetARefusedAdmissionFailAsBeforeWhereNoCursorCanBeHeld() {
        DetectedTrade refused = buy("t2", "0.40", "10");
        TradeLedger refusingLedger = new TradeLedger(refusing(Set.of(refused.key())),
                new PipelineMetrics(new SimpleMeterRegistry()));
        // a chain fill (no page: the failure goes back to the chain feed, which reads the fill again), or
        // admissions not told to hold cursors: the failure is thrown, as before
        Exchange chainFill = new DefaultExchange(context);
        chainFill.getMessage().setBody(refused);
        TradeAdmissions holding = new TradeAdmissions(refusingLedger)
                .holdingTheCursorOfRefusedTrades(Duration.ofSeconds(30), Clock.fixed(T0, ZoneOffset.UTC));
        assertThatThrownBy(() -> holding.add(chainFill, refused.key())).isInstanceOf(StoreException.class);

        Exchange page = new DefaultExchange(context);
        page.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), List.of(refused), "c-1"));
        TradeAdmissions plain = new TradeAdmissions(refusingLedger);
        plain.admitPage(page);
        assertThatThrownBy(() -> plain.add(split(page, refused), refused.key())).isInstanceOf(StoreException.class);
        assertThat(plain.cursorHeld(page)).isFalse();
    }

    /**
     * A database outage under a page, on a store that writes the page's trades one by one (PostgreSQL): each store call
     * waits out the pool's connection timeout. The page stops at the first refusal, and its trades without an answer
     * are held at once, with no store call each (before: one more call each, so N times the timeout for a page of N).
     */
    @Test
    void shouldHoldAPagesUntriedTradesWithoutAStoreCallEachOnceTheStoreRefusedOneForATransientReason() {
        LosingAnswers db = new LosingAnswers();
        PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
        TradeAdmissions holding = new TradeAdmissions(new TradeLedger(db.store, metrics))
                .holdingTheCursorOfRefusedTrades(Duration.ofSeconds(30), Clock.fixed(T0.plusSeconds(29),
                        ZoneOffset.UTC));
        List<DetectedTrade> trades = List.of(buy("t1", "0.40", "10"), buy("t2", "0.40", "10"),
                buy("t3", "0.40", "10"), buy("t4", "0.40", "10"));
        db.refused.add(trades.get(1).key());
        Exchange page = new DefaultExchange(context);
        page.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), trades, "c-1"));

        holding.admitPage(page);
        assertThat(db.writes).as("the page stops at the refusal").containsExactly("admit " + trades.get(0).key(),
                "admit " + trades.get(1).key());
        assertThat(holding.add(split(page, trades.get(0)), trades.get(0).key())).isTrue();
        for (DetectedTrade held : trades.subList(1, 4)) {
            assertThat(holding.add(split(page, held), held.key())).as(held.key()).isFalse();
        }
        assertThat(db.writes).as("no store call for the held trades").hasSize(2);
        assertThat(holding.cursorHeld(page)).isTrue();
        assertThat(metrics.registry().get(PipelineMetrics.TRADES_ADMISSION_HELD).counter().count()).isEqualTo(3);

        // the next poll reads the page again: the store is back, and each trade is stored once
        holding.admitPage(page);
        for (DetectedTrade t : trades) {
            assertThat(holding.add(split(page, t), t.key())).as(t.key()).isEqualTo(t != trades.get(0));
        }
        assertThat(holding.cursorHeld(page)).isFalse();
        assertThat(db.real.detectedCount()).isEqualTo(4);
    }

    /** A store down from the page's first write: one store call for the whole page, every trade of it held. */
    @Test
    void shouldMakeOneStoreCallForAPageWhenItsFirstTradeIsRefused() {
        LosingAnswers db = new LosingAnswers();
        TradeAdmissions holding = new TradeAdmissions(new TradeLedger(db.store,
                new PipelineMetrics(new SimpleMeterRegistry())))
                .holdingTheCursorOfRefusedTrades(Duration.ofSeconds(30), Clock.fixed(T0, ZoneOffset.UTC));
        List<DetectedTrade> trades = List.of(buy("t1", "0.40", "10"), buy("t2", "0.40", "10"),
                buy("t3", "0.40", "10"), buy("t4", "0.40", "10"));
        trades.forEach(t -> db.refused.add(t.key())); // each would be refused, were it tried
        Exchange page = new DefaultExchange(context);
        page.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), trades, "c-1"));

        holding.admitPage(page);
        for (DetectedTrade t : trades) {
            assertThat(holding.add(split(page, t), t.key())).as(t.key()).isFalse();
        }

        assertThat(db.writes).containsExactly("admit " + trades.get(0).key());
        assertThat(holding.cursorHeld(page)).isTrue();
        assertThat(db.real.detectedCount()).isZero();
    }

    /**
     * The same outage on a store that commits a page together and answers each write (SQLite's group commit): the
     * first trade tried alone meets the refusal, and the page's others are held without a call each. A refusal that
     * is not transient (a constraint violation, one trade's) does not hold the trades after it.
     */
    @Test
    void shouldHoldThePagesOtherTradesOnceOneTriedAloneIsRefusedForATransientReason() {
        java.util.List<String> admits = new java.util.ArrayList<>();
        TradeStore unanswered = (TradeStore) Proxy.newProxyInstance(TradeStore.class.getClassLoader(),
                new Class<?>[]{TradeStore.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "admitPage" -> new TradeStore.PageAdmission(
                            java.util.Arrays.asList(new Boolean[((List<?>) args[0]).size()]), null);
                    case "admit" -> {
                        String key = ((DetectedTrade) args[0]).key();
                        admits.add(key);
                        throw key.endsWith(":t1")
                                ? new StoreException("could not admit " + key + ": duplicate key",
                                        new java.sql.SQLException("duplicate key", "23505"))
                                : new StoreException("could not admit " + key + ": database is locked",
                                        new java.sql.SQLTransientConnectionException("no connection in 30000 ms"));
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        TradeAdmissions holding = new TradeAdmissions(new TradeLedger(unanswered,
                new PipelineMetrics(new SimpleMeterRegistry())))
                .holdingTheCursorOfRefusedTrades(Duration.ofSeconds(30), Clock.fixed(T0, ZoneOffset.UTC));
        List<DetectedTrade> trades = List.of(buy("t1", "0.40", "10"), buy("t2", "0.40", "10"),
                buy("t3", "0.40", "10"), buy("t4", "0.40", "10"));
        Exchange page = new DefaultExchange(context);
        page.getMessage().setBody(new TradeDetector.Poll(new TraderId("alice"), trades, "c-1"));

        holding.admitPage(page);
        for (DetectedTrade t : trades) {
            assertThat(holding.add(split(page, t), t.key())).as(t.key()).isFalse();
        }
        assertThat(admits).as("t1's refusal is its own; t2's holds the rest").containsExactly(trades.get(0).key(), trades.get(1).key());
        assertThat(holding.cursorHeld(page)).isTrue();
    }

    /** This test's store, refusing to admit the trades named (as a full disk or a locked file would refuse them). */
    private TradeStore refusing(Set<String> keys) {
        return (TradeStore) Proxy.newProxyInstance(TradeStore.class.getClassLoader(), new Class<?>[]{TradeStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("admit") && keys.contains(((DetectedTrade) args[0]).key())) {
                        throw new StoreException("could not admit trade " + ((DetectedTrade) args[0]).key()
                                + ": no room for this one", null);
                    }
                    if (method.getName().equals("admitPage")) {
                        return InvocationHandler.invokeDefault(proxy, method, args); // one admit after the other
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** What split-trades hands the idempotent consumer: a copy of the page's exchange with one trade as its body. */
    private static Exchange split(Exchange page, DetectedTrade trade) {
        Exchange copy = page.copy();
        copy.getMessage().setBody(trade);
        return copy;
    }
}

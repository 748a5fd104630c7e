package io.copytrader.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.DeadLetter;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.StoreException;
import io.copytrader.store.TradeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The dead-letter channel's end: every failed trade gets one letter, with its reason, and ends FAILED; whatever
 * reaches it with no reason is an unexpected error named by its cause; a trade that already ended gets none.
 */
class DeadLetterRecorderTest {
    private final InMemoryTradeStore store = new InMemoryTradeStore(Clock.systemUTC());
    private final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(new SimpleMeterRegistry()));
    private final DeadLetterRecorder recorder = new DeadLetterRecorder(ledger);
    private final CamelContext context = new DefaultCamelContext();
    private final Logger log = (Logger) LoggerFactory.getLogger(DeadLetterRecorder.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void listen() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void close() throws Exception {
        log.detachAppender(logged);
        context.close();
    }

    private Exchange exchange() {
        return new DefaultExchange(context);
    }

    private List<String> letters() {
        return store.deadLetters().stream().map(d -> d.trade().key() + " " + d.reason() + " " + d.detail()).toList();
    }

    /** The intent copying {@code t} at its own price and size. */
    private static CopyIntent wholeCopyOf(DetectedTrade t) {
        return new CopyIntent(t.clientOrderId(), t, t.instrument(), t.side(), t.price(), t.quantity(), t.notional());
    }

    private List<Level> levels() {
        return logged.list.stream().map(ILoggingEvent::getLevel).toList();
    }

    @Test
    void shouldLetterAFeedTradeTheStoreNeverTookOnceHoweverOftenItIsReadAgain() {
        DetectedTrade t = Trades.buy("d-9", "0.50", "10"); // never admitted: the store refused it
        for (int read = 0; read < 3; read++) { // its cursor held by a trade beside it: read at each poll
            Exchange refused = exchange();
            refused.getMessage().setBody(t);
            refused.setProperty(TradeAdmissions.ADMISSION_REFUSED, Boolean.TRUE);
            refused.setProperty(Exchange.EXCEPTION_CAUGHT, new RuntimeCamelException("could not admit trade"));
            recorder.record(refused);
        }

        // before: a letter and an ERROR line at each read
        assertThat(letters()).singleElement().asString().startsWith(t.key() + " UNEXPECTED_ERROR");
        assertThat(levels()).containsExactly(Level.ERROR);
        assertThat(logged.list.get(0).getFormattedMessage()).contains("never stored");
        assertThat(store.outcome(t.key())).isEmpty();
    }

    @Test
    void shouldGiveATradeAdmittedAfterItsLetterALetterOfItsOwnWhenItFailsLater() {
        AtomicInteger lettersToRefuse = new AtomicInteger();
        TradeStore refusingLetters = (TradeStore) Proxy.newProxyInstance(TradeStore.class.getClassLoader(),
                new Class<?>[]{TradeStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("addDeadLetter")
                            && lettersToRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new StoreException("could not add a dead letter: disk I/O error", null);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        TradeLedger handler = new TradeLedger(refusingLetters, new PipelineMetrics(new SimpleMeterRegistry()));
        DeadLetterRecorder letters = new DeadLetterRecorder(handler);
        DetectedTrade t = Trades.buy("d-16", "0.50", "10");

        // 1. the store refused its admission (too old to hold its cursor): a letter while it is in no table
        Exchange refused = exchange();
        refused.getMessage().setBody(t);
        refused.setProperty(TradeAdmissions.ADMISSION_REFUSED, Boolean.TRUE);
        refused.setProperty(Exchange.EXCEPTION_CAUGHT, new RuntimeCamelException("could not admit trade"));
        letters.record(refused);
        // 2. a later poll reads it again and the store takes it: its letter no longer waits for a person
        assertThat(handler.admit(t)).isTrue();
        assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(0, 1));

        // 3. it fails in the pipeline, and the store refuses that letter at first: written at the monitor's next pass,
        //    as a letter of its own (before, the letter of the refused admission passed for it)
        lettersToRefuse.set(1);
        assertThatThrownBy(() -> letters.record(t, Reason.UNEXPECTED_ERROR, "NPE"))
                .isInstanceOf(StoreException.class);
        letters.recordAgainWhatFailed();

        assertThat(store.deadLetters()).extracting(DeadLetter::detail).containsExactly("NPE",
                "org.apache.camel.RuntimeCamelException: could not admit trade");
        assertThat(store.deadLetterCounts()).isEqualTo(new TradeStore.DeadLetterCounts(1, 2));
        assertThat(store.deadLetters(new TradeStore.DeadLetterFilter(null, true), Long.MAX_VALUE, 10))
                .extracting(DeadLetter::detail).containsExactly("NPE");
        assertThat(store.outcome(t.key())).contains(TradeOutcome.FAILED);
    }

    @Test
    void shouldStoreTheLetterWithItsReasonAndFailTheTrade() {
        DetectedTrade t = Trades.buy("d-1", "0.50", "10");
        ledger.admit(t);
        Exchange failed = exchange();
        failed.setProperty(ExchangeProps.TRADE, t);
        failed.setProperty(ExchangeProps.DEAD_LETTER_REASON, Reason.EXCHANGE_RETRIES_EXHAUSTED);
        failed.setProperty(ExchangeProps.DEAD_LETTER_DETAIL, "4 sends answered 503");

        recorder.record(failed);

        assertThat(letters()).containsExactly(t.key() + " EXCHANGE_RETRIES_EXHAUSTED 4 sends answered 503");
        assertThat(store.ended(t.key())).hasValueSatisfying(e -> {
            assertThat(e.outcome()).isEqualTo(TradeOutcome.FAILED);
            assertThat(e.reason()).isEqualTo(Reason.EXCHANGE_RETRIES_EXHAUSTED);
        });
        assertThat(levels()).as("a failed copy is an error").containsExactly(Level.ERROR);
    }

    @Test
    void shouldNameTheCauseOfAnUnexpectedFailure() {
        DetectedTrade t = Trades.buy("d-2", "0.50", "10");
        ledger.admit(t);
        Exchange failed = exchange();
        failed.getMessage().setBody(t);
        failed.setProperty(Exchange.EXCEPTION_CAUGHT,
                new RuntimeCamelException(new RuntimeException(new SocketTimeoutException("Read timed out"))));

        recorder.record(failed);

        assertThat(letters()).containsExactly(t.key() + " UNEXPECTED_ERROR java.net.SocketTimeoutException: Read timed out");
        assertThat(store.outcome(t.key())).contains(TradeOutcome.FAILED);
    }

    @Test
    void shouldRecordAFailureWithNoReasonAndNoExceptionAsAnUnknownFailure() {
        DetectedTrade t = Trades.buy("d-3", "0.50", "10");
        ledger.admit(t);
        Exchange failed = exchange();
        failed.setProperty(ExchangeProps.INTENT, wholeCopyOf(t));
        failed.getMessage().setBody("the venue's answer, not a trade");

        recorder.record(failed);

        assertThat(letters()).containsExactly(t.key() + " UNEXPECTED_ERROR unknown failure");
        assertThat(store.outcome(t.key())).contains(TradeOutcome.FAILED);
    }

    @Test
    void shouldPreferTheTradeTheExchangeWasCopyingOverItsBody() {
        DetectedTrade copying = Trades.buy("d-4", "0.50", "10");
        DetectedTrade other = Trades.buy("d-5", "0.50", "10");
        ledger.admit(copying);
        ledger.admit(other);
        Exchange failed = exchange();
        failed.setProperty(ExchangeProps.TRADE, copying);
        failed.setProperty(ExchangeProps.INTENT, wholeCopyOf(other));
        failed.getMessage().setBody(other);
        failed.setProperty(ExchangeProps.DEAD_LETTER_REASON, Reason.EXCHANGE_INVALID_ORDER);

        recorder.record(failed);

        assertThat(store.deadLetters()).extracting(d -> d.trade().key()).containsExactly(copying.key());
        assertThat(store.outcome(other.key())).isEmpty();
    }

    @Test
    void shouldStoreNothingForAFailureWithNoTrade() {
        Exchange failed = exchange();
        failed.getMessage().setBody("a polled page");
        failed.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("bug"));

        recorder.record(failed);

        assertThat(store.deadLetters()).isEmpty();
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("A failure with no trade reached the dead letters: UNEXPECTED_ERROR "
                        + "java.lang.IllegalStateException: bug");
    }

    @Test
    void shouldLeaveNoLetterForATradeThatAlreadyEnded() {
        DetectedTrade leader = Trades.buy("d-6", "0.50", "10");
        DetectedTrade copied = Trades.buy("d-7", "0.50", "5");
        DetectedTrade open = Trades.buy("d-8", "0.50", "5");
        List.of(leader, copied, open).forEach(ledger::admit);
        ledger.aggregate(leader, List.of(copied, open));
        store.finish(copied.key(), TradeOutcome.COPIED, null, "by another order");

        recorder.record(leader, Reason.EXCHANGE_RETRIES_EXHAUSTED, "venue down");
        recorder.record(leader, Reason.UNEXPECTED_ERROR, "again");

        assertThat(store.deadLetters()).extracting(d -> d.trade().key() + " " + d.reason())
                .as("one letter each for the trades the failure ended; none for the one copied already")
                .containsExactlyInAnyOrder(leader.key() + " EXCHANGE_RETRIES_EXHAUSTED",
                        open.key() + " EXCHANGE_RETRIES_EXHAUSTED");
        assertThat(store.outcome(copied.key())).contains(TradeOutcome.COPIED);
        assertThat(store.outcome(open.key())).contains(TradeOutcome.FAILED);
    }

    @Test
    void shouldWarnRatherThanErrForAnExpectedRefusal() {
        DetectedTrade broke = Trades.buy("d-9", "0.50", "10");
        DetectedTrade breakerOpen = Trades.buy("d-10", "0.50", "10");
        DetectedTrade rejected = Trades.buy("d-11", "0.50", "10");
        List.of(broke, breakerOpen, rejected).forEach(ledger::admit);

        recorder.record(broke, Reason.EXCHANGE_INSUFFICIENT_BALANCE, "cash 3.10");
        recorder.record(breakerOpen, Reason.EXCHANGE_CIRCUIT_OPEN, "not sent");
        recorder.record(rejected, Reason.EXCHANGE_INVALID_ORDER, "invalid order");

        assertThat(levels()).containsExactly(Level.WARN, Level.WARN, Level.ERROR);
    }

    /** A recorder whose ledger writes through a store that can refuse writes or lose their answers; one trade admitted. */
    private record OverLosingStore(LosingAnswers db, SimpleMeterRegistry registry, DeadLetterRecorder letters,
                                   DetectedTrade trade) {
        double failedCount() {
            return registry.find(PipelineMetrics.TRADES_FAILED).counters().stream().mapToDouble(c -> c.count()).sum();
        }
    }

    private OverLosingStore overALosingStore(String tradeId) {
        LosingAnswers db = new LosingAnswers(store);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TradeLedger handler = new TradeLedger(db.store, new PipelineMetrics(registry)).resolvingLostAdmissions(true);
        DetectedTrade t = Trades.buy(tradeId, "0.50", "10");
        handler.admit(t);
        return new OverLosingStore(db, registry, new DeadLetterRecorder(handler), t);
    }

    @Test
    void shouldWriteOnceLaterALetterWhoseTradesOutcomeTheStoreRefused() {
        OverLosingStore f = overALosingStore("d-13");
        LosingAnswers db = f.db();
        DeadLetterRecorder letters = f.letters();
        DetectedTrade t = f.trade();
        Exchange refused = exchange();
        refused.setProperty(ExchangeProps.TRADE, t);
        refused.setProperty(ExchangeProps.DEAD_LETTER_REASON, Reason.EXCHANGE_INVALID_ORDER);
        refused.setProperty(ExchangeProps.DEAD_LETTER_DETAIL, "tick size");
        db.refused.add(t.key()); // the outcome's write: the connection dropped under it

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> letters.record(refused))
                .isInstanceOf(io.copytrader.store.StoreException.class);
        assertThat(store.outcome(t.key())).isEmpty();

        // before: nothing wrote it again; a refused order's trade stayed in flight until the next start
        letters.recordAgainWhatFailed();
        letters.recordAgainWhatFailed();
        assertThat(letters()).as("the letter stored once").containsExactly(t.key() + " EXCHANGE_INVALID_ORDER tick size");
        assertThat(store.ended(t.key())).contains(new io.copytrader.store.TradeStore.Ended(TradeOutcome.FAILED,
                Reason.EXCHANGE_INVALID_ORDER));
        assertThat(f.failedCount()).as("counted once").isEqualTo(1);
        assertThat(letters.failedLetters()).isZero();
    }

    @Test
    void shouldLogALetterTheStoreKeepsRefusingInOneLineAPeriodWithoutItsStack() {
        OverLosingStore f = overALosingStore("d-15");
        DetectedTrade t = f.trade();
        // a store that cannot write (a full disk): the same trade fails at every poll, a few times a second
        for (int poll = 0; poll < 50; poll++) {
            f.db().refused.add(t.key());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.letters().record(t, Reason.UNEXPECTED_ERROR, "x"))
                    .isInstanceOf(io.copytrader.store.StoreException.class);
        }

        assertThat(logged.list).as("one line for the first, the rest counted into the next one 10 s on")
                .singleElement().satisfies(e -> {
                    assertThat(e.getLevel()).isEqualTo(Level.WARN);
                    assertThat(e.getFormattedMessage()).contains("Dead letters the store could not take", t.key());
                    assertThat(e.getThrowableProxy()).as("no stack trace").isNull();
                });
        assertThat(f.letters().failedLetters()).as("kept, to be written again").isEqualTo(1);
    }

    @Test
    void shouldCountOnceALetterWhoseOutcomeWasCommittedThoughItsAnswerWasLostAndNotReadBack() {
        OverLosingStore f = overALosingStore("d-14");
        LosingAnswers db = f.db();
        DeadLetterRecorder letters = f.letters();
        DetectedTrade t = f.trade();
        db.lostAnswers.add(t.key());
        db.unreadable.addAll(List.of(LosingAnswers.read("ended", t.key()), LosingAnswers.read("ended", t.key())));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> letters.record(t, Reason.EXCHANGE_UNKNOWN_OUTCOME, "x"))
                .isInstanceOf(io.copytrader.store.StoreException.class);
        letters.recordAgainWhatFailed(); // the store still cannot say
        assertThat(letters.failedLetters()).isEqualTo(1);
        letters.recordAgainWhatFailed();
        letters.recordAgainWhatFailed();

        assertThat(letters()).containsExactly(t.key() + " EXCHANGE_UNKNOWN_OUTCOME x");
        assertThat(f.failedCount()).as("counted once").isEqualTo(1);
        assertThat(db.writes).as("read back, not written again").filteredOn(w -> w.equals("finish " + t.key())).hasSize(1);
    }

    @Test
    void shouldSayALetterOfATradeNeverStoredCannotBeReplayed() {
        DetectedTrade neverAdmitted = Trades.buy("d-12", "0.50", "10"); // its admission failed: no row

        recorder.record(neverAdmitted, Reason.UNEXPECTED_ERROR, "disk I/O error");

        assertThat(letters()).containsExactly(neverAdmitted.key() + " UNEXPECTED_ERROR disk I/O error");
        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).contains(neverAdmitted.key(), "disk I/O error",
                    "it was never stored, so it cannot be replayed");
        });
    }
}

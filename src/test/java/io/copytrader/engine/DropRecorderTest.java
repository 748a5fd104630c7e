package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.StoreException;
import io.copytrader.store.TradeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The copy queue's drops written on the recorder's own thread: the offering thread does not wait for the store, the
 * drops waiting meanwhile go in one write, each exchange ends once its outcome is written, a write that fails is tried
 * again without holding the exchange, and a close writes what is in hand.
 */
class DropRecorderTest {
    private final InMemoryTradeStore real = new InMemoryTradeStore(Clock.systemUTC());
    /** The outcome writes the store was asked for: method, how many trades, and on which thread. */
    private final List<String> writes = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch gate = new CountDownLatch(1);
    private volatile boolean gated;
    /** Outcome writes still to fail, as a dropped connection fails them (nothing committed). */
    private final AtomicInteger failing = new AtomicInteger();
    private final TradeStore store = (TradeStore) Proxy.newProxyInstance(TradeStore.class.getClassLoader(),
            new Class<?>[] {TradeStore.class}, (proxy, method, args) -> {
                if (method.getName().equals("finish") || method.getName().equals("finishAll")) {
                    int n = args[0] instanceof List<?> keys ? keys.size() : 1;
                    writes.add(method.getName() + " " + n + " on " + Thread.currentThread().getName());
                    if (gated) {
                        gate.await();
                    }
                    if (failing.getAndUpdate(f -> Math.max(0, f - 1)) > 0) {
                        throw new StoreException("could not finish: connection dropped",
                                new SQLTransientConnectionException("connection dropped", "08006"));
                    }
                }
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(registry));
    private final DropRecorder recorder = DropRecorder.onItsOwnThread(ledger, "drops-under-test");
    private final AtomicInteger ended = new AtomicInteger();

    @AfterEach
    void close() {
        gate.countDown();
        recorder.close();
    }

    private DetectedTrade admitted(String id) {
        DetectedTrade trade = Trades.buy(id, "0.50", "10");
        ledger.admit(trade);
        return trade;
    }

    private double droppedCount() {
        return registry.get(PipelineMetrics.TRADES_DROPPED).counter().count();
    }

    /** The recorder's thread is held in its first write (of {@code first}), so what comes next waits in its queue. */
    private void holdTheRecorderIn(DetectedTrade first) {
        gated = true;
        recorder.record(first, ended::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.size() == 1);
    }

    @Test
    void shouldReturnAtOnceAndWriteTheDropsThatWaitedInOneWrite() {
        DetectedTrade a = admitted("d-1");
        DetectedTrade b = admitted("d-2");
        DetectedTrade c = admitted("d-3");
        holdTheRecorderIn(a);

        // the store is held: these return all the same, and nothing is written or ended yet
        recorder.record(b, ended::incrementAndGet);
        recorder.record(c, ended::incrementAndGet);
        assertThat(ended).hasValue(0);
        assertThat(real.outcome(b.key())).isEmpty();

        gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ended.get() == 3);
        for (DetectedTrade t : List.of(a, b, c)) {
            assertThat(real.outcome(t.key())).as(t.key()).contains(TradeOutcome.DROPPED);
        }
        assertThat(writes).containsExactly("finish 1 on drops-under-test", "finishAll 2 on drops-under-test");
        assertThat(droppedCount()).isEqualTo(3.0);
        assertThat(recorder.written()).isEqualTo(3);
    }

    @Test
    void shouldEndAnExchangeOnlyOnceItsOutcomeIsWritten() {
        DetectedTrade a = admitted("d-4");
        holdTheRecorderIn(a);

        assertThat(ended).as("held in its write: not ended").hasValue(0);
        gate.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ended.get() == 1);
        assertThat(real.outcome(a.key())).contains(TradeOutcome.DROPPED);
    }

    @Test
    void shouldEndTheExchangeOfAFailedWriteAtOnceAndWriteItOnceTheStoreAnswers() {
        DetectedTrade a = admitted("d-5");
        DetectedTrade b = admitted("d-6");
        failing.set(Integer.MAX_VALUE);
        holdTheRecorderIn(a);
        recorder.record(b, ended::incrementAndGet);
        gate.countDown();

        // both failed: their exchanges end (a graceful stop does not wait for the store), the trades stay in flight
        await().atMost(Duration.ofSeconds(10)).until(() -> ended.get() == 2);
        assertThat(real.outcome(a.key())).isEmpty();
        assertThat(real.outcome(b.key())).isEmpty();
        assertThat(droppedCount()).isZero();

        // tried again every second: at least once more while the store still fails
        int before = writes.size();
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.size() > before);
        failing.set(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> real.outcome(a.key()).isPresent()
                && real.outcome(b.key()).isPresent());
        assertThat(real.outcome(a.key())).contains(TradeOutcome.DROPPED);
        assertThat(real.outcome(b.key())).contains(TradeOutcome.DROPPED);
        await().atMost(Duration.ofSeconds(10)).until(() -> droppedCount() == 2.0);
        assertThat(ended).as("each exchange ended once").hasValue(2);
    }

    @Test
    void shouldMakeTheOfferingThreadWaitOnlyWhenItsCapacityIsInHand() throws Exception {
        DetectedTrade first = admitted("d-10");
        holdTheRecorderIn(first);
        for (int i = 1; i < DropRecorder.CAPACITY; i++) {
            recorder.record(admitted("f-" + i), ended::incrementAndGet); // returns: room for it
        }
        DetectedTrade last = admitted("d-11");
        Thread offering = new Thread(() -> recorder.record(last, ended::incrementAndGet), "offering");
        offering.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> offering.getState() == Thread.State.TIMED_WAITING);
        assertThat(offering.isAlive()).as("waits for room while " + DropRecorder.CAPACITY + " are in hand").isTrue();

        gate.countDown();
        offering.join(10_000);
        assertThat(offering.isAlive()).isFalse();
        await().atMost(Duration.ofSeconds(20)).until(() -> ended.get() == DropRecorder.CAPACITY + 1);
        assertThat(real.outcome(last.key())).contains(TradeOutcome.DROPPED);
        assertThat(writes).as("never more than a batch in one write")
                .allMatch(w -> Integer.parseInt(w.split(" ")[1]) <= DropRecorder.MAX_BATCH);
    }

    @Test
    void shouldWriteInPlaceWhenClosedWhileTheOfferingThreadWaitsForRoom() throws Exception {
        holdTheRecorderIn(admitted("d-17"));
        for (int i = 1; i < DropRecorder.CAPACITY; i++) {
            recorder.record(admitted("g-" + i), ended::incrementAndGet);
        }
        DetectedTrade last = admitted("d-18");
        Thread offering = new Thread(() -> recorder.record(last, ended::incrementAndGet), "offering");
        offering.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> offering.getState() == Thread.State.TIMED_WAITING);

        Thread closing = new Thread(recorder::close, "closing");
        closing.start();
        // closed: the waiting thread stops waiting and writes its drop itself (held by the store like the recorder)
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.contains("finish 1 on offering"));
        gate.countDown();
        offering.join(10_000);
        closing.join(20_000);
        assertThat(offering.isAlive()).isFalse();
        assertThat(closing.isAlive()).isFalse();
        assertThat(real.outcome(last.key())).contains(TradeOutcome.DROPPED);
        assertThat(ended).hasValue(DropRecorder.CAPACITY + 1);
    }

    @Test
    void shouldWriteWhatIsInHandWhenClosedThenWriteInPlace() throws Exception {
        DetectedTrade a = admitted("d-12");
        DetectedTrade b = admitted("d-13");
        holdTheRecorderIn(a);
        recorder.record(b, ended::incrementAndGet);

        Thread closing = new Thread(recorder::close, "closing");
        closing.start();
        gate.countDown();
        closing.join(20_000);
        assertThat(closing.isAlive()).isFalse();
        assertThat(ended).hasValue(2);
        assertThat(real.outcome(a.key())).contains(TradeOutcome.DROPPED);
        assertThat(real.outcome(b.key())).contains(TradeOutcome.DROPPED);

        DetectedTrade late = admitted("d-14");
        recorder.record(late, ended::incrementAndGet);
        assertThat(real.outcome(late.key())).as("written before record returned").contains(TradeOutcome.DROPPED);
        assertThat(writes.get(writes.size() - 1)).isEqualTo("finish 1 on " + Thread.currentThread().getName());
        assertThat(ended).hasValue(3);
    }

    @Test
    void shouldLeaveInFlightADropTheStoreStillRefusesAtTheClose() {
        DetectedTrade a = admitted("d-15");
        failing.set(Integer.MAX_VALUE);
        recorder.record(a, ended::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> ended.get() == 1);

        recorder.close();
        assertThat(real.outcome(a.key())).as("in flight: the next start's recovery settles it").isEmpty();
        assertThat(ended).hasValue(1);
    }

    @Test
    void shouldWriteOnTheOfferingThreadInPlace() {
        DropRecorder inPlace = DropRecorder.inPlace(ledger);
        DetectedTrade a = admitted("d-16");

        inPlace.record(a, ended::incrementAndGet);

        assertThat(real.outcome(a.key())).contains(TradeOutcome.DROPPED);
        assertThat(writes).containsExactly("finish 1 on " + Thread.currentThread().getName());
        assertThat(ended).hasValue(1);
    }
}

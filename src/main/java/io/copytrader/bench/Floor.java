package io.copytrader.bench;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.StoreSettings;
import io.copytrader.store.TradeStore;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The floor under the engine's CPU per copied trade on this machine: what the pieces a copied trade cannot do
 * without cost when nothing else runs, each measured on its own.
 * <ul>
 *     <li>the store: a copied trade's three durable writes (its admission, in pages as a poll admits them; the order's
 *     intent, fsync'd under {@code synchronous=FULL}; the venue's answer with the trade's outcome), through the engine's
 *     own store on a SQLite file of its own beside the bench's, from as many threads as the engine has copy
 *     consumers so that they share group commits as the placing threads do;</li>
 *     <li>a hand-off: one object passed between two threads through a blocking queue, the receiver parked until it
 *     comes, as at each of the pipeline's three queues (the fill aggregator's executor, the copy queue, the dispatch
 *     queue);</li>
 *     <li>the order's POST is the ceiling's engine CPU per request, measured by the bench beside this.</li>
 * </ul>
 * Their sum is a copied trade with no detection, no Camel routing, no sizing and no JSON: the engine's CPU per trade
 * over it says how much the pipeline adds to what its durable writes, its queues and its HTTP call cost here.
 */
public final class Floor {
    /** Trades per admission page: 1,000 trades/s polled every 10 ms, the rate of the CPU goal. */
    static final int PAGE = 10;
    /** Pipeline queues a copied trade crosses: the aggregator's executor, the copy queue, the dispatch queue. */
    static final int HANDOFFS_PER_TRADE = 3;

    private static final BigDecimal PRICE = new BigDecimal("0.55");
    private static final BigDecimal QUANTITY = new BigDecimal("10.00");
    private static final BigDecimal COPY_QUANTITY = new BigDecimal("1.00");

    /** The store's three writes of one copied trade: thread CPU and elapsed time, each per trade. */
    public record StoreCost(double cpuUsPerTrade, double wallUsPerTrade) {
    }

    /** One hand-off: both threads' CPU and the elapsed time, each per hand-off. */
    public record HandoffCost(double cpuUs, double wallUs) {
    }

    /**
     * The floor's pieces and their sum, in microseconds of CPU per copied trade.
     *
     * @param store   the three writes, or NaN when not measured (the bench's store is not SQLite)
     * @param post    the order's POST: the ceiling's engine CPU per request
     * @param handoff one hand-off between two threads
     */
    public record Figures(double store, double post, double handoff) {
        public double sum() {
            return (Double.isNaN(store) ? 0 : store) + post + HANDOFFS_PER_TRADE * handoff;
        }

        public String line(int threads, String sync) {
            return String.format(Locale.ROOT, "bench: floor cpu_us/trade store=%s (3 writes, %d threads, admissions in "
                            + "pages of %d, %s) post=%.0f (the ceiling's) handoffs=%dx%.1f sum=%.0f: one copied trade's "
                            + "durable writes, queues and order POST, without detection, routing, sizing or JSON",
                    Double.isNaN(store) ? "na" : String.format(Locale.ROOT, "%.0f", store), threads, PAGE, sync, post,
                    HANDOFFS_PER_TRADE, handoff, sum());
        }
    }

    private Floor() {
    }

    /**
     * Runs {@code warmup} then {@code trades} copied trades' writes through a new store in a SQLite file of its own
     * in {@code dir} (deleted afterwards), from {@code threads} threads, each admitting its trades {@link #PAGE} at a
     * time and then writing each one's intent and answer.
     */
    public static StoreCost store(Path dir, StoreSettings.SqliteSync sync, int threads, int warmup, int trades)
            throws Exception {
        if (threads < 1 || trades < threads || warmup < 0) {
            throw new IllegalArgumentException("threads >= 1, trades >= threads and warmup >= 0 required");
        }
        Path file = Files.createTempFile(dir, "copytrader-floor-", ".db");
        TradeStore store = StoreFactory.open(StoreSettings.of("jdbc:sqlite:" + file).withSqliteSync(sync),
                Clock.systemUTC());
        try {
            return measure(store, threads, warmup, trades);
        } finally {
            store.close();
            deleteSqliteFiles(file); // a temp file left behind is left to the system's temp cleaning
        }
    }

    /** {@link #store}'s measurement on a store of the caller's: every trade ends COPIED with its order FILLED. */
    static StoreCost measure(TradeStore store, int threads, int warmup, int trades) throws Exception {
        run(store, threads, warmup, "w");
        long start = System.nanoTime();
        long cpu = run(store, threads, trades, "m");
        long wall = System.nanoTime() - start;
        return new StoreCost(cpu / 1000.0 / trades, wall / 1000.0 / trades);
    }

    /** The trades split over the threads; the CPU time the threads spent, in nanoseconds. */
    private static long run(TradeStore store, int threads, int trades, String round) throws Exception {
        if (trades == 0) {
            return 0;
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicLong cpu = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int mine = trades / threads + (w < trades % threads ? 1 : 0);
            String prefix = "floor-" + round + "-" + w + "-";
            Thread t = new Thread(() -> {
                long c0 = mx.getCurrentThreadCpuTime();
                try {
                    copyTrades(store, prefix, mine);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    cpu.addAndGet(mx.getCurrentThreadCpuTime() - c0);
                }
            }, "copytrader-floor-store-" + w);
            workers.add(t);
            t.start();
        }
        for (Thread t : workers) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the store floor's writes failed: " + failure.get(), failure.get());
        }
        return cpu.get();
    }

    private static void copyTrades(TradeStore store, String prefix, int count) {
        for (int i = 0; i < count; i += PAGE) {
            List<DetectedTrade> page = new ArrayList<>(PAGE);
            for (int j = i; j < Math.min(count, i + PAGE); j++) {
                Instant now = Instant.now();
                page.add(new DetectedTrade(new SourceTradeId(prefix + j), new TraderId("floor"),
                        new InstrumentId("tok-" + (j % 20)), "Yes", Side.BUY, PRICE, QUANTITY,
                        Decimals.notional(PRICE, QUANTITY), now, now));
            }
            List<Boolean> admitted = store.admitAll(page);
            for (int k = 0; k < page.size(); k++) {
                if (!Boolean.TRUE.equals(admitted.get(k))) {
                    throw new IllegalStateException("trade " + page.get(k).key() + " was not admitted");
                }
                DetectedTrade trade = page.get(k);
                CopyIntent intent = new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(),
                        PRICE, COPY_QUANTITY, Decimals.notional(PRICE, COPY_QUANTITY));
                if (!store.recordIntent(trade.key(), intent)) {
                    throw new IllegalStateException("the intent of " + trade.key() + " was not written");
                }
                TradeStore.MovedAndFinished answer = store.moveOrderAndFinish(intent.clientOrderId(),
                        OrderRecordState.FILLED, new VenueOrderId("v-" + trade.key()), COPY_QUANTITY, PRICE,
                        trade.key(), TradeOutcome.COPIED, null, null);
                if (!answer.moved() || !answer.finished()) {
                    throw new IllegalStateException("the answer of " + trade.key() + " was not written");
                }
            }
        }
    }

    /**
     * CPU per hand-off: one object passed back and forth between two threads through two blocking queues
     * ({@code roundTrips} times, after as many unmeasured), each receiver parked until it comes.
     */
    public static HandoffCost handoff(int roundTrips) throws Exception {
        if (roundTrips < 1) {
            throw new IllegalArgumentException("roundTrips >= 1 required");
        }
        pingPong(roundTrips);
        long start = System.nanoTime();
        long cpu = pingPong(roundTrips);
        long wall = System.nanoTime() - start;
        return new HandoffCost(cpu / 1000.0 / (2.0 * roundTrips), wall / 1000.0 / (2.0 * roundTrips));
    }

    /** The CPU time both threads spent, in nanoseconds. */
    private static long pingPong(int roundTrips) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        BlockingQueue<Object> there = new LinkedBlockingQueue<>();
        BlockingQueue<Object> back = new LinkedBlockingQueue<>();
        AtomicLong cpu = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Object ball = new Object();
        Thread echo = new Thread(() -> {
            long c0 = mx.getCurrentThreadCpuTime();
            try {
                for (int i = 0; i < roundTrips; i++) {
                    back.put(receive(there));
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                cpu.addAndGet(mx.getCurrentThreadCpuTime() - c0);
            }
        }, "copytrader-floor-echo");
        echo.start();
        long c0 = mx.getCurrentThreadCpuTime();
        try {
            for (int i = 0; i < roundTrips; i++) {
                there.put(ball);
                receive(back);
            }
        } finally {
            cpu.addAndGet(mx.getCurrentThreadCpuTime() - c0);
            echo.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the hand-off floor failed: " + failure.get(), failure.get());
        }
        return cpu.get();
    }

    /** Waits for the other thread's object; a thread that stopped answering fails the measurement, never hangs it. */
    private static Object receive(BlockingQueue<Object> queue) throws InterruptedException {
        Object received = queue.poll(30, TimeUnit.SECONDS);
        if (received == null) {
            throw new IllegalStateException("the other thread of the hand-off floor stopped answering");
        }
        return received;
    }

    /** Deletes a SQLite database file with its log and shared memory; what could not be deleted, with the reason. */
    static List<String> deleteSqliteFiles(Path file) {
        List<String> failures = new ArrayList<>();
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            try {
                Files.deleteIfExists(Path.of(file + suffix));
            } catch (IOException e) {
                failures.add(file + suffix + ": " + e.getMessage());
            }
        }
        return failures;
    }
}

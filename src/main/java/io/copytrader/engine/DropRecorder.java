package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records DROPPED(QUEUE_OVERFLOW) for the trades the copy queue drops. The trade that pushed one out was offered by
 * the fill aggregator's thread; writing the drop there, one group commit each, made that thread wait for a commit
 * per drop (about 10 ms under the load that overflows the queue: the commits it joins carry the orders' fsync'd
 * intents). So the aggregator fell behind exactly when trades came fastest, its hand-off filled with 1,000 groups,
 * and every trade waited there for 0.4-0.7 s before it even reached the queue that drops the oldest to keep copies
 * fresh (bench at 4,000/s; README "Results (session 44)").
 *
 * <p>On its own thread ({@link #onItsOwnThread}) the recorder takes the drops from a queue and writes all that
 * waited, up to {@link #MAX_BATCH}, in one store write, then ends each dropped exchange (its on-completion tasks: the
 * aggregator counts a completed group in progress until then, and a graceful stop waits for that count, so it waits
 * for the drops' writes too). The offering thread waits only when {@link #CAPACITY} drops are in hand. A write that
 * fails is tried again, each trade on its own, every second ({@link TradeLedger#finishAgain}); its exchange is ended at
 * once, so a store that cannot write does not hold a graceful stop. A drop still unwritten when the recorder closes
 * leaves its trade in flight in the store, which the next start's recovery settles like any trade in flight.
 *
 * <p>In place ({@link #inPlace}) the drop is written on the offering thread, as before this class (tests of the
 * queue alone).
 */
public final class DropRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DropRecorder.class);

    static final String DETAIL = "queue full; dropped the oldest waiting trade";
    /** Drops in hand (queued or being written) before an offering thread waits. */
    static final int CAPACITY = 1000;
    /** Drops written in one store write at most. */
    static final int MAX_BATCH = 500;
    static final long RETRY_MILLIS = 1000;
    private static final long NONE = Long.MAX_VALUE;

    private record Drop(DetectedTrade trade, Runnable done) { }

    private static final Drop STOP = new Drop(null, () -> { });

    private final TradeLedger ledger;
    private final LinkedBlockingQueue<Drop> queue;
    private final Semaphore room;
    private final Thread thread;
    private final AggregatedWarn unwritten = new AggregatedWarn(LOG,
            "Dropped trades whose DROPPED outcome the store could not write yet (tried again every second)", 10_000);
    private final AtomicLong written = new AtomicLong();
    /** The recorder's thread only: drops whose write failed, tried again every {@link #RETRY_MILLIS}. */
    private final List<Drop> failed = new ArrayList<>();
    /** Drops whose write failed still (the recorder's thread writes it). */
    private volatile int failedCount;
    private volatile boolean closed;

    private DropRecorder(TradeLedger ledger, String threadName) {
        this.ledger = ledger;
        if (threadName == null) {
            this.queue = null;
            this.room = null;
            this.thread = null;
        } else {
            this.queue = new LinkedBlockingQueue<>();
            this.room = new Semaphore(CAPACITY);
            this.thread = new Thread(this::run, threadName);
            this.thread.setDaemon(true);
            this.thread.start();
        }
    }

    /** Writes each drop on the thread that offered the trade which pushed it out. */
    public static DropRecorder inPlace(TradeLedger ledger) {
        return new DropRecorder(ledger, null);
    }

    /** Writes the drops on a thread of this name, many in one write; {@link #close} ends it. */
    public static DropRecorder onItsOwnThread(TradeLedger ledger, String threadName) {
        return new DropRecorder(ledger, threadName);
    }

    /**
     * Records the trade DROPPED(QUEUE_OVERFLOW), then runs {@code done}. On the recorder's own thread this returns at
     * once unless {@link #CAPACITY} drops are in hand: then it waits for room. Closed, or interrupted while waiting,
     * it writes in place (the interrupt is kept).
     */
    public void record(DetectedTrade trade, Runnable done) {
        if (thread != null && !closed && Thread.currentThread() != thread && waitForRoom()) {
            Drop mine = new Drop(trade, done);
            queue.add(mine);
            // closed meanwhile: the recorder's last drain may have run already. Whoever takes it from the queue
            // writes it, once
            if (!closed || !queue.remove(mine)) {
                return;
            }
            room.release();
        }
        try {
            finish(trade);
        } finally {
            done.run();
        }
    }

    private boolean waitForRoom() {
        try {
            while (!room.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (closed) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void finish(DetectedTrade trade) {
        ledger.finish(trade, TradeOutcome.DROPPED, Reason.QUEUE_OVERFLOW, DETAIL);
        written.incrementAndGet();
    }

    /** Drops written (recorded, or found recorded) since the start. */
    public long written() {
        return written.get();
    }

    private void run() {
        List<Drop> batch = new ArrayList<>();
        long retryAt = NONE;
        boolean stop = false;
        while (!stop) {
            Drop first;
            try {
                first = failed.isEmpty() ? queue.take()
                        : queue.poll(Math.max(1, retryAt - Monotonic.millis()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break; // close() interrupts only a recorder that did not stop in time
            }
            batch.clear();
            if (first != null) {
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
            }
            stop = batch.remove(STOP);
            if (!batch.isEmpty()) {
                write(batch);
            }
            if (failed.isEmpty()) {
                retryAt = NONE;
            } else if (retryAt == NONE) {
                retryAt = Monotonic.millis() + RETRY_MILLIS;
            } else if (stop || Monotonic.millis() >= retryAt) {
                failed.removeIf(d -> writeAgain(d.trade()));
                retryAt = Monotonic.millis() + RETRY_MILLIS;
            }
            failedCount = failed.size();
        }
        // a record that saw the recorder closed only after queueing its drop either took it back or left it here
        batch.clear();
        queue.drainTo(batch);
        batch.remove(STOP);
        if (!batch.isEmpty()) {
            write(batch);
        }
        failedCount = failed.size();
    }

    /** One store write for the batch, then each exchange ended; on a failure each drop on its own. */
    private void write(List<Drop> batch) {
        List<DetectedTrade> trades = new ArrayList<>(batch.size());
        batch.forEach(d -> trades.add(d.trade()));
        try {
            ledger.finishAll(trades, TradeOutcome.DROPPED, Reason.QUEUE_OVERFLOW, DETAIL);
            written.addAndGet(batch.size());
        } catch (RuntimeException e) {
            // some may be committed (each write failing on its own is told apart by the store): each read back
            for (Drop d : batch) {
                if (!writeAgain(d.trade())) {
                    failed.add(d);
                }
            }
        } finally {
            for (Drop d : batch) {
                end(d);
            }
        }
    }

    private boolean writeAgain(DetectedTrade trade) {
        try {
            ledger.finishAgain(trade, TradeOutcome.DROPPED, Reason.QUEUE_OVERFLOW, DETAIL);
            written.incrementAndGet();
            return true;
        } catch (RuntimeException e) {
            unwritten.event(trade.key() + ": " + e.getMessage());
            return false;
        }
    }

    private void end(Drop d) {
        try {
            d.done().run();
        } catch (RuntimeException e) {
            LOG.warn("Ending the exchange of dropped trade {} failed: {}", d.trade().key(), e.toString());
        } finally {
            room.release();
        }
    }

    /**
     * Writes the drops in hand, tries the failed ones once more, and ends the thread (waiting up to 10 s for it). A
     * drop whose write still fails leaves its trade in flight in the store, for the next start's recovery.
     */
    @Override
    public void close() {
        if (thread == null || closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        try {
            thread.join(10_000);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unwritten.flush();
        int left = failedCount;
        if (left > 0) {
            LOG.warn("{} dropped trade(s) left in flight in the store: their DROPPED outcome could not be written; the "
                    + "next start's recovery settles them", left);
        }
    }
}

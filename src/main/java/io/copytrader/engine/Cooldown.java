package io.copytrader.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The minimum spacing between order submissions across all consumers (TRADE_COOLDOWN_MS): 10 ms means at most
 * 100 orders per second; 0 means unthrottled. Each caller reserves the next free slot atomically and waits for it,
 * so concurrent consumers never submit closer together than the cooldown.
 */
public final class Cooldown {
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextSlot;
    private final AtomicLong heldNanos = new AtomicLong();

    public Cooldown(long intervalMillis) {
        this(intervalMillis, System::nanoTime);
    }

    Cooldown(long intervalMillis, LongSupplier nanoTime) {
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.nanoTime = nanoTime;
        this.nextSlot = new AtomicLong(nanoTime.getAsLong());
    }

    /** Reserves the next slot; returns how long (ns) the caller must wait before using it. */
    long reserve() {
        if (intervalNanos == 0) {
            return 0;
        }
        while (true) {
            long now = nanoTime.getAsLong();
            long slot = nextSlot.get();
            long mine = Math.max(slot, now);
            if (nextSlot.compareAndSet(slot, mine + intervalNanos)) {
                if (mine > now) {
                    heldNanos.addAndGet(mine - now);
                }
                return mine - now;
            }
        }
    }

    /** The total time (ns) callers were told to wait for their slots since start: zero when unthrottled. */
    public long heldNanos() {
        return heldNanos.get();
    }

    /** Blocks until this caller's slot comes. */
    public void await() {
        long wait = reserve();
        long deadline = nanoTime.getAsLong() + wait;
        while (wait > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            wait = deadline - nanoTime.getAsLong();
        }
    }
}

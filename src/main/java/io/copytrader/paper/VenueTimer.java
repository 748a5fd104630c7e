package io.copytrader.paper;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The venue's clock work: lets every trader emit what its rate owes and fills the resting orders that came due, then
 * sleeps until the next of those is due, at least {@value #MIN_SLEEP_MILLIS} ms (a high rate emits in batches, as a
 * fixed 10 ms tick did) and at most {@value #MAX_SLEEP_MILLIS} ms (an injected clock that jumps is seen within a
 * second). A rate change or an order resting until before the planned wake-up runs it at once. Its state lives on one
 * Vert.x context, so runs never overlap.
 */
final class VenueTimer {
    static final long MIN_SLEEP_MILLIS = 10;
    static final long MAX_SLEEP_MILLIS = 1000;

    private final Vertx vertx;
    private final Context context;
    private final FeedBook feeds;
    private final PaperExchange exchange;
    private final Clock clock;
    private final AtomicLong runs = new AtomicLong();
    /** The planned wake-up, in clock milliseconds; read from any thread. */
    private volatile long wakeAt = Long.MIN_VALUE;
    /** The pending timer; touched only on {@link #context}. */
    private long timerId = -1;

    VenueTimer(Vertx vertx, FeedBook feeds, PaperExchange exchange, Clock clock) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.feeds = feeds;
        this.exchange = exchange;
        this.clock = clock;
    }

    void start() {
        context.runOnContext(v -> run());
    }

    /** A trader's rate changed: its next fill may be due before the planned wake-up. */
    void rateChanged() {
        context.runOnContext(v -> runNow());
    }

    /** An order may rest: wakes early if it comes due before the planned wake-up. */
    void orderPlaced() {
        long dueIn = exchange.millisToNextDue();
        if (dueIn != Long.MAX_VALUE && clock.millis() + dueIn < wakeAt) {
            context.runOnContext(v -> runNow());
        }
    }

    /** How many times it has run (tests: it sleeps between events). */
    long runs() {
        return runs.get();
    }

    private void runNow() {
        if (timerId < 0 || vertx.cancelTimer(timerId)) {
            run();
        }
    }

    private void run() {
        runs.incrementAndGet();
        feeds.tick();
        exchange.advance();
        long next = Math.min(feeds.millisToNextFill(), exchange.millisToNextDue());
        long sleep = Math.max(MIN_SLEEP_MILLIS, Math.min(MAX_SLEEP_MILLIS, next));
        wakeAt = clock.millis() + sleep;
        timerId = vertx.setTimer(sleep, id -> run());
    }
}

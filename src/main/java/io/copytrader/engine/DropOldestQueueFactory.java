package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.TradeOutcome;
import org.apache.camel.Exchange;
import org.apache.camel.component.seda.BlockingQueueFactory;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.support.UnitOfWorkHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The SEDA {@code queueFactory} of the copy queue: a {@link DropOldestQueue} whose drops are recorded
 * DROPPED(QUEUE_OVERFLOW) (by a {@link DropRecorder}), counted and logged at WARN (one line per second at most, with the count), and whose
 * leftovers at shutdown are recorded ABANDONED(SHUTDOWN_ABANDONED) by id. Keyed by the trade's ordering key, so one
 * instrument's trades are taken in detection order and sized one at a time, a sell only once the trades of it taken
 * before it are done, unless the shares it sells are settled already (docs/ordering.md).
 */
public final class DropOldestQueueFactory implements BlockingQueueFactory<Exchange> {
    private static final Logger LOG = LoggerFactory.getLogger(DropOldestQueueFactory.class);

    /**
     * Exchange property of a trade taken from the keyed queue: what tells the queue it is sized (a Runnable; see
     * {@link #sized(Exchange)}).
     */
    static final String SIZED_PROPERTY = "copyTraderSized";

    private final TradeLedger ledger;
    private final DropRecorder drops;
    private final boolean join;
    private final boolean oneOrderPerInstrument;
    private final Predicate<Exchange> sellGoesNow;
    private final AtomicLong dropsSinceLog = new AtomicLong();
    private final AtomicLong lastLogMillis = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile DropOldestQueue<Exchange> last;

    public DropOldestQueueFactory(TradeLedger ledger) {
        this(ledger, false);
    }

    /**
     * @param join whether trades waiting right behind a taken trade of the same target, instrument and side join it
     *             ({@link #joins}; {@code JOIN_WAITING_TRADES})
     */
    public DropOldestQueueFactory(TradeLedger ledger, boolean join) {
        this(ledger, join, false);
    }

    /**
     * @param join                  as above
     * @param oneOrderPerInstrument whether every trade waits while trades of its instrument are out
     *                              ({@code ONE_ORDER_PER_INSTRUMENT}): one order of an instrument out at a time;
     *                              otherwise sells do and buys do not ({@link #holdsBack})
     */
    public DropOldestQueueFactory(TradeLedger ledger, boolean join, boolean oneOrderPerInstrument) {
        this(ledger, join, oneOrderPerInstrument, e -> false);
    }

    /**
     * @param sellGoesNow whether a waiting sell may be taken while orders of its instrument are out (all sized): the
     *                    shares it sells, sized on the book that counts those orders filled, are settled already
     *                    ({@link CopyPlanner#sellGoesNow}); asked under the queue's lock
     */
    public DropOldestQueueFactory(TradeLedger ledger, boolean join, boolean oneOrderPerInstrument,
                                  Predicate<Exchange> sellGoesNow) {
        this(ledger, DropRecorder.inPlace(ledger), join, oneOrderPerInstrument, sellGoesNow);
    }

    /**
     * @param drops what records the dropped trades: the engine's writes them on a thread of its own, so the thread
     *              that offered to the full queue (the fill aggregator's) does not wait for a commit per drop
     */
    public DropOldestQueueFactory(TradeLedger ledger, DropRecorder drops, boolean join, boolean oneOrderPerInstrument,
                                  Predicate<Exchange> sellGoesNow) {
        this.ledger = ledger;
        this.drops = drops;
        this.join = join;
        this.oneOrderPerInstrument = oneOrderPerInstrument;
        this.sellGoesNow = sellGoesNow;
    }

    @Override
    public BlockingQueue<Exchange> create() {
        return create(1000);
    }

    @Override
    public BlockingQueue<Exchange> create(int capacity) {
        DropOldestQueue<Exchange> q = new DropOldestQueue<>(capacity, DropOldestQueueFactory::orderingKey,
                DropOldestQueueFactory::releaseWhenDone,
                join ? DropOldestQueueFactory::joins : (taken, next) -> false,
                (taken, joined) -> taken.setProperty(CopyQueue.JOINED, joined),
                new DropOldestQueue.KeyGate<Exchange>() {
                    @Override
                    public boolean holdsBack(Exchange waiting, int taken, int unsettled) {
                        return DropOldestQueueFactory.this.holdsBack(waiting, taken, unsettled);
                    }

                    @Override
                    public boolean joinsWhileOut(Exchange taken, Exchange next) {
                        return DropOldestQueueFactory.joinsWhileOut(next);
                    }
                },
                e -> ledger.metrics().queued(), this::dropped, this::abandoned);
        last = q;
        return q;
    }

    /** The queue most recently created (the copy queue), for the queue-length gauge; 0 before start. */
    public int queueLength() {
        DropOldestQueue<Exchange> q = last;
        return q == null ? 0 : q.size();
    }

    /** The trade's ordering key (docs/ordering.md); null for a message that is not a trade. */
    static String orderingKey(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        return body instanceof DetectedTrade trade ? trade.orderingKey() : null;
    }

    /**
     * Whether {@code next}, waiting behind {@code taken} (the same instrument: the queue asks only of those), is copied
     * by {@code taken}'s order (docs/ordering.md, "Joining"): a trade of the same target and side. A trade a restart
     * or a replay put back on the queue ({@link CopyQueue#REQUEUED_HEADER}) neither joins nor is joined.
     */
    static boolean joins(Exchange taken, Exchange next) {
        if (!(taken.getMessage().getBody() instanceof DetectedTrade first)
                || !(next.getMessage().getBody() instanceof DetectedTrade trade)
                || taken.getMessage().getHeader(CopyQueue.REQUEUED_HEADER) != null
                || next.getMessage().getHeader(CopyQueue.REQUEUED_HEADER) != null) {
            return false;
        }
        return first.trader().equals(trade.trader()) && first.instrument().equals(trade.instrument())
                && first.side() == trade.side();
    }

    /**
     * Whether {@code next} may join a trade taken while orders of its instrument are out: a buy may (a buy depends on
     * no answer), a sell may not. Such a sell went because the settled shares cover it alone; the sells behind it may
     * not be covered with it (a sell of more than the settled shares, or of everything, sized then on the settled
     * shares only, would sell less than the target's share), so each waits for its own turn at the gate.
     */
    static boolean joinsWhileOut(Exchange next) {
        return !(next.getMessage().getBody() instanceof DetectedTrade trade) || trade.side() != Side.SELL;
    }

    /**
     * Whether a waiting trade waits for the trades of its instrument taken before it (docs/ordering.md), given how many
     * are out ({@code taken} &gt; 0) and how many of those are not sized yet. Every trade waits while one is being sized:
     * one instrument's trades are sized one at a time, in detection order. Then a buy goes (the book counts every order
     * out as if it filled, so its caps see them; it depends on no answer); a sell waits until the orders out are
     * answered, unless the shares it sells are settled already ({@code sellGoesNow}). With one order per instrument, a
     * message that is not a trade, and a trade a restart or a replay put back on the queue wait for every trade out.
     */
    boolean holdsBack(Exchange exchange, int taken, int unsized) {
        if (oneOrderPerInstrument || !(exchange.getMessage().getBody() instanceof DetectedTrade trade)
                || exchange.getMessage().getHeader(CopyQueue.REQUEUED_HEADER) != null) {
            return true;
        }
        if (unsized > 0) {
            return true;
        }
        return trade.side() == Side.SELL && !sellGoesNow.test(exchange);
    }

    /**
     * Frees the trade's key when its exchange is done, whatever its end (copied, skipped, failed to the dead
     * letters, or an error): the next trade of the instrument may then be taken. Until {@link #sized} it keeps every
     * later trade of the instrument waiting.
     */
    static void releaseWhenDone(Exchange exchange, DropOldestQueue<Exchange>.Hold hold) {
        exchange.setProperty(SIZED_PROPERTY, (Runnable) hold::settle);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                hold.run();
            }
        });
    }

    /**
     * The copy-trade route sized the trade (or skipped it, or failed trying): the next trade of its instrument may be
     * sized. Nothing for an exchange that did not come from the keyed queue, or told already.
     */
    public static void sized(Exchange exchange) {
        Object sized = exchange.removeProperty(SIZED_PROPERTY);
        if (sized instanceof Runnable r) {
            r.run();
        }
    }

    private void dropped(Exchange exchange) {
        ledger.metrics().overflow();
        DetectedTrade trade = exchange.getMessage().getBody(DetectedTrade.class);
        if (trade != null) {
            // the exchange ends once its outcome is written (a graceful stop waits for the aggregator's groups to end)
            drops.record(trade, () -> done(exchange));
        } else {
            done(exchange);
        }
        long n = dropsSinceLog.incrementAndGet();
        long now = Monotonic.millis();
        long prev = lastLogMillis.get();
        if (now - prev >= 1000 && lastLogMillis.compareAndSet(prev, now)) {
            long count = dropsSinceLog.getAndSet(0);
            LOG.warn("Copy queue full: dropped {} oldest trade(s) (latest {}) to admit newer ones", count,
                    trade == null ? "?" : trade.key());
        } else {
            LOG.debug("Queue overflow: dropped {} ({} since last WARN)", trade == null ? "?" : trade.key(), n);
        }
    }

    private void abandoned(Exchange exchange) {
        DetectedTrade trade = exchange.getMessage().getBody(DetectedTrade.class);
        if (trade != null && ledger.finish(trade, TradeOutcome.ABANDONED, Reason.SHUTDOWN_ABANDONED,
                "still queued when the copy queue was cleared")) {
            LOG.warn("Abandoned queued trade {} (client order id {})", trade.key(), trade.clientOrderId());
        }
        done(exchange);
    }

    /**
     * Runs the on-completion tasks the exchange carries (the SEDA producer hands the sender's over to it), as its
     * consumer would have: a trade that leaves the queue without being taken has ended too. The aggregator that
     * completed its group counts the group in progress until then, and waits for that count to reach zero before
     * a graceful shutdown can end: without this, one overflow made every later shutdown wait out its timeout.
     */
    private static void done(Exchange exchange) {
        UnitOfWorkHelper.doneSynchronizations(exchange, exchange.getExchangeExtension().handoverCompletions());
    }
}

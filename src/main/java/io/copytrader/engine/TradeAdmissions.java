package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.store.StoreException;
import io.copytrader.store.TradeStore;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The idempotent consumer's repository, backed by the trade store: adding a key stores the detected trade itself
 * (primary key on the trade key, so concurrent adds cannot both win). One write admits and dedupes at once, and
 * the dedup survives restarts whenever the store does.
 */
public final class TradeAdmissions extends ServiceSupport implements IdempotentRepository {
    private static final Logger LOG = LoggerFactory.getLogger(TradeAdmissions.class);
    /** The exchange property holding a page's admission answers, by trade key (see {@link #admitPage}). */
    static final String PAGE_ADMITTED = "copytraderPageAdmitted";
    /** The exchange property counting a page's trades the store could not admit (see {@link #cursorHeld}). */
    static final String PAGE_HELD = "copytraderPageHeld";
    /**
     * The exchange property holding the transient refusal that stopped a page's admission (see {@link #add}), shared
     * with the split's copies: the page's trades not answered yet are held without asking the store again.
     */
    static final String PAGE_REFUSAL = "copytraderPageRefusal";
    /** The exchange property marking a feed trade the store refused and {@link #hold} let fail (too old to hold). */
    static final String ADMISSION_REFUSED = "copytraderAdmissionRefused";
    /** The exchange property counting the trades a tick admitted, over its pages (see {@link #admittedThisTick}). */
    static final String TICK_ADMITTED = "copytraderTickAdmitted";
    private final TradeLedger ledger;
    /** The detection source recorded with each trade, when the same fills have two (DETECTION=both); else null. */
    private final String source;
    private volatile Duration maxTradeAge;
    private volatile Clock clock;
    private final AggregatedWarn heldWarn = new AggregatedWarn(LOG,
            "Feed trades the store could not admit; their trader's cursor stays, so they are read again at the next poll",
            10_000);

    public TradeAdmissions(TradeLedger ledger) {
        this(ledger, null);
    }

    /**
     * @param source the source of the trades admitted here when another source reports the same fills (a fill one
     *               source admitted is then a duplicate for the other, {@link TradeLedger#admit(DetectedTrade, String)});
     *               null when this is the only source
     */
    public TradeAdmissions(TradeLedger ledger, String source) {
        this.ledger = ledger;
        this.source = source;
    }

    /**
     * Admits a polled page's trades in one group commit before the page is split (detect-trades' first step after the
     * poll), instead of one durable write each on the detection thread; each trade's answer waits in an exchange
     * property for {@link #add(Exchange, String)}, which the split's copies share. A trade the page write could not
     * store has no answer there and is admitted alone by the idempotent consumer, which reports the error as before;
     * unless the page's write stopped at a transient refusal ({@link TradeStore#admitPage}): then its young trades
     * without an answer are held at once ({@link #pageRefused}).
     */
    public void admitPage(Exchange exchange) {
        // a tick may read several pages on one exchange: nothing of the page before carries over to this one
        exchange.removeProperty(PAGE_ADMITTED);
        exchange.removeProperty(PAGE_HELD);
        exchange.removeProperty(PAGE_REFUSAL);
        TradeDetector.Poll poll = exchange.getMessage().getBody(TradeDetector.Poll.class);
        if (poll == null || poll.trades().isEmpty()) {
            return;
        }
        if (exchange.getProperty(TICK_ADMITTED) == null) {
            exchange.setProperty(TICK_ADMITTED, new AtomicInteger()); // shared with the split's copies, and the pages after
        }
        if (maxTradeAge != null) {
            exchange.setProperty(PAGE_HELD, new AtomicInteger()); // shared with the split's copies of the exchange
            exchange.setProperty(PAGE_REFUSAL, new AtomicReference<RuntimeException>());
        }
        if (poll.trades().size() < 2) {
            return; // nothing to share a commit with
        }
        TradeStore.PageAdmission page = ledger.admitPage(poll.trades(), source);
        List<Boolean> admitted = page.answers();
        Map<String, Boolean> answers = new ConcurrentHashMap<>();
        for (int i = 0; i < admitted.size(); i++) {
            if (admitted.get(i) != null) {
                answers.putIfAbsent(poll.trades().get(i).key(), admitted.get(i)); // a key twice: its first answer
            }
        }
        exchange.setProperty(PAGE_ADMITTED, answers);
        if (page.refusal() != null) {
            pageRefused(exchange, page.refusal());
        }
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        DetectedTrade trade = exchange.getMessage().getBody(DetectedTrade.class);
        if (trade == null) {
            throw new IllegalStateException("no trade to admit for key " + key);
        }
        if (!trade.key().equals(key)) {
            throw new IllegalStateException("dedup key " + key + " does not match trade " + trade.key());
        }
        @SuppressWarnings("unchecked")
        Map<String, Boolean> page = exchange.getProperty(PAGE_ADMITTED, Map.class);
        Boolean answered = page == null ? null : page.remove(key); // once: a second look is a duplicate
        boolean admitted;
        if (answered != null) {
            admitted = answered;
        } else {
            RuntimeException pageRefused = pageRefusal(exchange);
            if (pageRefused != null && hold(exchange, trade, pageRefused)) {
                return false; // the store refused a trade of this page a moment ago: not asked again (see pageRefused)
            }
            try {
                admitted = ledger.admit(trade, source);
            } catch (RuntimeException refused) {
                if (refused instanceof StoreException e && e.isTransient()) {
                    pageRefused(exchange, refused);
                }
                if (!hold(exchange, trade, refused)) {
                    if (exchange.getProperty(PAGE_HELD) != null) {
                        // to the dead letters; if the store cannot take its letter either, the cursor is held after
                        // all (holdForUnwrittenLetter)
                        exchange.setProperty(ADMISSION_REFUSED, Boolean.TRUE);
                    }
                    throw refused;
                }
                return false; // not admitted now: the next poll reads it again
            }
        }
        if (admitted) {
            AtomicInteger tick = exchange.getProperty(TICK_ADMITTED, AtomicInteger.class);
            if (tick != null) {
                tick.incrementAndGet();
            }
        }
        return admitted;
    }

    /**
     * Records a transient refusal of a trade of the page on this exchange (the database unreachable, no connection free
     * in time, a file locked past the busy timeout): the page's trades not answered yet are held without a store call,
     * while they are young enough to hold ({@link #hold}), and read again at the next poll. Before, each was admitted
     * alone and each waited as long as the first (a pool's 30 s for a connection): a page of N trades held detection
     * for N times that through a database outage.
     */
    private static void pageRefused(Exchange exchange, RuntimeException refusal) {
        @SuppressWarnings("unchecked")
        AtomicReference<RuntimeException> holder = exchange.getProperty(PAGE_REFUSAL, AtomicReference.class);
        if (holder != null) {
            holder.compareAndSet(null, refusal);
        }
    }

    private static RuntimeException pageRefusal(Exchange exchange) {
        @SuppressWarnings("unchecked")
        AtomicReference<RuntimeException> holder = exchange.getProperty(PAGE_REFUSAL, AtomicReference.class);
        return holder == null ? null : holder.get();
    }

    /**
     * True when a page of the tick on this exchange admitted a trade not seen before: the feed is handing over new
     * trades, and its next page is worth reading at once. Pages of trades all admitted already (a feed that reads an
     * overlap again, a page read again after a hand-over) are read at the next tick, not one after the other.
     */
    public boolean admittedThisTick(Exchange exchange) {
        AtomicInteger admitted = exchange.getProperty(TICK_ADMITTED, AtomicInteger.class);
        return admitted != null && admitted.get() > 0;
    }

    /**
     * Feed trades whose admission the store refused (a file locked past the busy timeout, a full disk, a broken
     * connection) are read again at the next poll instead of going to the dead letters, where, never stored, they
     * could not be replayed: the poll's cursor is not stored ({@link #cursorHeld}), and dedup passes over the page's
     * trades that were admitted. Only while the trade can still be copied: one older than the maximum trade age would
     * be skipped as stale anyway, and it must not hold its trader's feed for ever (a trade the store can never take):
     * it goes to the dead letters, as before.
     */
    public TradeAdmissions holdingTheCursorOfRefusedTrades(Duration maxTradeAge, Clock clock) {
        this.maxTradeAge = maxTradeAge;
        this.clock = clock;
        return this;
    }

    private boolean hold(Exchange exchange, DetectedTrade trade, RuntimeException refused) {
        AtomicInteger held = exchange.getProperty(PAGE_HELD, AtomicInteger.class);
        Duration maxAge = maxTradeAge;
        if (held == null || maxAge == null) {
            return false;
        }
        Instant now = clock.instant();
        if (!trade.tsEvent().isAfter(now.minus(maxAge))) {
            return false;
        }
        held.incrementAndGet();
        ledger.metrics().admissionHeld();
        heldWarn.event(trade.key() + ": " + refused.getMessage());
        return true;
    }

    /**
     * A feed trade the store refused to admit, too old to hold its trader's cursor, went to the dead letters, and the
     * store refused its letter too (a full disk refuses both): it is in no table, so the page's cursor must not move
     * past it after all; the next poll reads it again and tries both writes again. Before, the cursor moved on (when
     * the store took the cursor's write) and the trade lived only in memory, as a letter to write later: lost at a
     * restart; or, when the store refused the cursor too, each poll logged the failed letter with its stack.
     *
     * @return true when the exchange is such a trade's: its cursor is now held, and the failure is not to be thrown
     */
    static boolean holdForUnwrittenLetter(Exchange exchange) {
        AtomicInteger held = exchange.getProperty(PAGE_HELD, AtomicInteger.class);
        if (held == null || !admissionRefused(exchange)) {
            return false;
        }
        held.incrementAndGet();
        return true;
    }

    /** True when the exchange is a feed trade's whose admission the store refused and that went to the dead letters. */
    static boolean admissionRefused(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.getProperty(ADMISSION_REFUSED));
    }

    /**
     * True when a trade of the page on this exchange could not be admitted and is to be read again: its trader's
     * cursor must not move past it (detect-trades' commit-cursor step).
     */
    public boolean cursorHeld(Exchange exchange) {
        AtomicInteger held = exchange.getProperty(PAGE_HELD, AtomicInteger.class);
        if (held == null || held.get() == 0) {
            return false;
        }
        heldWarn.flush();
        return true;
    }

    @Override
    public boolean add(String key) {
        throw new UnsupportedOperationException("trades are admitted with their exchange");
    }

    @Override
    public boolean contains(String key) {
        return ledger.store().trade(key).isPresent();
    }

    @Override
    public boolean remove(String key) {
        return false; // an admitted trade is never forgotten: it ends in an outcome instead
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        // never: the store is the record of what was copied
    }
}

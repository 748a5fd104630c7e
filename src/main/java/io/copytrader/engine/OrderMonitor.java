package io.copytrader.engine;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.domain.WallClock;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.StoreException;
import io.copytrader.store.TradeStore;
import io.copytrader.venue.ExchangeAdapter;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.TransientVenueException;
import io.copytrader.venue.VenueHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Background order monitoring and position reconciliation (the monitor-orders route). Each run looks up the open
 * and unknown orders by client order id (or venue id), applies fills, cancels and rejects to the book, cancels
 * orders resting too long, resolves unknown outcomes (found: copied; still absent after the grace period: failed to
 * the dead letters, never resent), and now and then replaces the book with the venue's balance and positions.
 *
 * <p>An open order that a lookup found unchanged is looked up less and less often: again after
 * {@link #FIRST_BACKOFF}, then twice as long each time it is still unchanged, up to {@link #MAX_BACKOFF}, and at its
 * resting deadline; any change (a fill, a new state) brings it back to every pass. A resting limit order is the
 * common case on a real venue and the costly one: each lookup is a venue request counted against its rate limit. An
 * order whose outcome is unknown is looked up at every pass: its trade waits on the answer.
 */
public final class OrderMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(OrderMonitor.class);
    /** A pass's write the store refused: one WARN line every 10 s at most (it was an ERROR with its stack each pass). */
    private final AggregatedWarn storeFailures = new AggregatedWarn(LOG,
            "Order lookups whose result the store could not take; the next passes look them up again", 10_000);
    /** A pass the store failed as a whole (its list of orders to watch unreadable). */
    private final AggregatedWarn storeUnreadable = new AggregatedWarn(LOG,
            "Monitoring passes the store failed; the next pass tries again", 10_000);
    private static final EnumSet<OrderRecordState> WATCHED = EnumSet.of(OrderRecordState.OPEN,
            OrderRecordState.PARTIALLY_FILLED, OrderRecordState.UNKNOWN, OrderRecordState.SUBMITTING);
    private static final EnumSet<OrderRecordState> NOT_TERMINAL = EnumSet.complementOf(EnumSet.of(
            OrderRecordState.FILLED, OrderRecordState.CANCELED, OrderRecordState.REJECTED, OrderRecordState.FAILED));

    private final ExchangeAdapter adapter;
    private final VenueHttpClient http;
    private final TradeStore store;
    private final TradeLedger ledger;
    private final Portfolio portfolio;
    private final DeadLetterRecorder deadLetters;
    private final Clock clock;
    private final Duration unknownGrace;
    /** The longest a consumer can hold an order it is sending (every send and every wait between). */
    private final Duration longestSend;
    /** Whether a consumer of this process is sending the order right now. */
    private final Predicate<ClientOrderId> inHand;
    private final Duration maxResting;
    private final Duration refreshEvery;
    private volatile Instant lastRefresh = Instant.EPOCH;
    private final java.util.concurrent.atomic.AtomicLong bookRefreshes = new java.util.concurrent.atomic.AtomicLong();
    /** How long an open order found unchanged waits for its next lookup at first; doubled each time, up to the max. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(8);
    /** When an open order found unchanged is looked up next, and the wait that led there. */
    private record Backoff(Instant next, Duration delay) {
        /**
         * Whether the order waits at {@code now}: before its next look, unless that is further off than the delay it
         * was set with, which only a step back of the wall clock makes it (it would wait out the step as well).
         */
        boolean holds(Instant now) {
            return now.isBefore(next) && !next.isAfter(now.plus(delay));
        }
    }
    /** Per open order found unchanged; written by the passes (one scheduler thread in the shipped route). */
    private final Map<ClientOrderId, Backoff> backoff = new ConcurrentHashMap<>();
    /** Most orders one pass looks after. */
    private static final int MAX_PER_PASS = 1000;
    /**
     * Moves of this monitor's whose write reported an error and whose read-back failed too (the store still down): the
     * order as listed, the state it was moved to, and the lookup's answer. Read back at the next pass
     * ({@link #resolveMovesInDoubt}); their orders are left alone meanwhile. Written by the passes only.
     */
    private final Map<ClientOrderId, MoveInDoubt> movesInDoubt = new ConcurrentHashMap<>();

    private record MoveInDoubt(OrderRecord order, OrderRecordState next, OrderStatus status) {
    }

    /**
     * Orders of unknown outcome this monitor found at the venue and moved, whose trade's COPIED could not be written:
     * written again at the next pass ({@link #resolveOutcomesInDoubt}). Written by the passes only.
     */
    private final Map<ClientOrderId, OrderRecord> outcomesInDoubt = new ConcurrentHashMap<>();
    private static final String RESOLVED_BY_LOOKUP = "resolved by lookup";

    /** Run first in each pass: the placer's answers held in doubt read back ({@link #readingBackFirst}). */
    private volatile Runnable readBack = () -> { };
    /** Null on one instance; with several engines on one store, this one's name in the orders' claims. */
    private String instanceId;
    private Duration claimLease;

    public OrderMonitor(ExchangeAdapter adapter, VenueHttpClient http, TradeStore store, TradeLedger ledger,
                        Portfolio portfolio, DeadLetterRecorder deadLetters, Clock clock, Duration unknownGrace,
                        Duration longestSend, Predicate<ClientOrderId> inHand, Duration maxResting,
                        Duration refreshEvery) {
        this.adapter = adapter;
        this.http = http;
        this.store = store;
        this.ledger = ledger;
        this.portfolio = portfolio;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.unknownGrace = unknownGrace;
        this.longestSend = longestSend;
        this.inHand = inHand;
        this.maxResting = maxResting;
        this.refreshEvery = refreshEvery;
    }

    /**
     * With several engines on one store: each pass looks after only the orders this instance claims (renewing its
     * claims, taking over those whose holder's lease ran out), so an order is looked up, resolved or cancelled by one
     * instance at a time, and a killed instance's orders are taken over within {@code lease}.
     */
    public OrderMonitor sharedAs(String instanceId, Duration lease) {
        this.instanceId = instanceId;
        this.claimLease = lease;
        return this;
    }

    /**
     * Each pass first reads back the venue's answers the placer holds in doubt
     * ({@link OrderPlacer#resolveAnswersInDoubt}): answers whose write's answer was lost while the store could not be
     * read either. Found written, one is counted and settled then; found not written, its order is looked up.
     */
    public OrderMonitor readingBackFirst(Runnable answersInDoubt) {
        this.readBack = answersInDoubt;
        return this;
    }

    /**
     * One monitoring pass; never throws (a venue hiccup waits for the next pass). A store that cannot be read (a
     * database gone, its connections silent until their timeout) fails the whole pass: one WARN line every 10 s at
     * most, and the next pass tries again. Before, each failed pass was an ERROR with its stack and message history
     * from Camel's error handler, and a WARN from the scheduler.
     */
    public void run() {
        try {
            pass();
        } catch (StoreException e) {
            storeUnreadable.event(e.getMessage());
        }
    }

    private void pass() {
        readBack.run();
        Instant now = clock.instant();
        resolveMovesInDoubt(now);
        resolveOutcomesInDoubt();
        deadLetters.recordAgainWhatFailed();
        List<OrderRecord> watched = instanceId == null ? store.ordersIn(WATCHED)
                : store.claimOrders(WATCHED, instanceId, now.plus(claimLease), MAX_PER_PASS);
        Set<ClientOrderId> listed = new HashSet<>();
        for (OrderRecord order : watched) {
            listed.add(order.clientOrderId());
            if (inHand.test(order.clientOrderId()) || movesInDoubt.containsKey(order.clientOrderId())) {
                continue; // being sent right now by a consumer, which alone moves it on; or moved by a pass, unread
            }
            if (order.state() == OrderRecordState.SUBMITTING) {
                if (order.updatedAt().plus(longestSend).isAfter(now)) {
                    continue; // just written; its consumer is about to take it in hand
                }
                // no consumer holds it and none could still be sending it: its consumer died; look it up
                store.moveOrder(order.clientOrderId(), OrderRecordState.UNKNOWN, null, null, null);
                continue;
            }
            if (adapter.knowsOrderIdBeforeSending() && order.venueOrderId() == null) {
                continue; // never sent (its id is persisted before sending): the placer or recovery handles it
            }
            Backoff waiting = backoff.get(order.clientOrderId());
            if (waiting != null && waiting.holds(now)) {
                continue;
            }
            try {
                if (check(order, now)) {
                    Duration wait = waiting == null ? FIRST_BACKOFF : min(waiting.delay().multipliedBy(2), MAX_BACKOFF);
                    // never past the moment it rests too long (cancelled at the first look after its deadline)
                    Instant overdue = order.createdAt().plus(maxResting).plusMillis(1);
                    Instant next = now.plus(wait);
                    backoff.put(order.clientOrderId(), new Backoff(next.isAfter(overdue) ? overdue : next, wait));
                } else {
                    backoff.remove(order.clientOrderId());
                }
            } catch (IOException | TransientVenueException e) {
                LOG.debug("Lookup of order {} failed, next pass retries: {}", order.clientOrderId(), e.toString());
            } catch (StoreException e) {
                // the store cannot write (a full disk, a database gone): every pass would fail the same way
                storeFailures.event(order.clientOrderId() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("Monitoring order {} failed", order.clientOrderId(), e);
            }
        }
        backoff.keySet().retainAll(listed); // ended, or no longer ours
        if (WallClock.due(lastRefresh, refreshEvery, now)) {
            refreshBook();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Looks the order up and acts on what the venue says.
     *
     * @return true when the order is open and the lookup found it as recorded (nothing moved, nothing cancelled)
     */
    private boolean check(OrderRecord order, Instant now) throws IOException {
        CopyIntent intent = order.intent();
        HttpReply reply = http.execute(adapter.lookupOrder(intent, order.venueOrderId()));
        OrderStatus status = adapter.onLookupReply(intent, order.venueOrderId(), reply);
        boolean wasUnresolved = order.state() == OrderRecordState.UNKNOWN;
        if (status.state() == OrderState.NOT_FOUND) {
            if (wasUnresolved && order.updatedAt().plus(unknownGrace).isBefore(now)) {
                if (moveOrder(order, OrderRecordState.FAILED, status)) {
                    moved(order, OrderRecordState.FAILED, status, now);
                }
            } else if (!wasUnresolved && order.updatedAt().plus(unknownGrace).isBefore(now)) {
                // an order the venue accepted and no longer knows (a paper venue restarted, an expired order):
                // nothing more will fill. Only after the grace period since its state last changed: a venue's
                // order data can lag behind its answer (Polymarket takes a delayed order before it lists it), and an
                // order counted canceled too early could still fill, unbooked
                if (moveOrder(order, OrderRecordState.CANCELED, status)) {
                    moved(order, OrderRecordState.CANCELED, status, now);
                }
            }
            return false;
        }
        OrderRecordState next = OrderPlacer.toRecordState(status.state());
        boolean moved = false;
        if (next != order.state() || !same(status.filledQuantity(), order.filledQuantity())) {
            moved = moveOrder(order, next, status);
            if (!moved) {
                return false; // moved on by someone else since it was listed; the next pass sees its new state
            }
        }
        if (moved || wasUnresolved) {
            moved(order, next, status, now);
        }
        if (status.state().isTerminal() || wasUnresolved && status.state() == OrderState.REJECTED) {
            return false;
        }
        if (order.createdAt().plus(maxResting).isBefore(now)) {
            LOG.info("Order {} resting for over {} s; cancelling", intent.clientOrderId(), maxResting.toSeconds());
            adapter.onCancelReply(http.execute(adapter.cancelOrder(intent, status.venueOrderId())));
            return false;
        }
        return !moved && !wasUnresolved;
    }

    /**
     * What follows this monitor's move of {@code order} (as listed) to {@code next} on the lookup's {@code status}: the
     * book settled or released when the order ended, the trade of an unknown order copied or dead-lettered.
     */
    private void moved(OrderRecord order, OrderRecordState next, OrderStatus status, Instant now) {
        CopyIntent intent = order.intent();
        boolean wasUnresolved = order.state() == OrderRecordState.UNKNOWN;
        if (status.state() == OrderState.NOT_FOUND) {
            if (next == OrderRecordState.FAILED) {
                portfolio.release(intent);
                LOG.warn("Order {} (trade {}) is unknown to the venue {} ms after it was sent; failing it, not resending",
                        intent.clientOrderId(), order.tradeKey(), Duration.between(order.updatedAt(), now).toMillis());
                deadLetters.record(intent.source(), Reason.EXCHANGE_UNKNOWN_OUTCOME,
                        "no answer, and the venue does not know the order");
            } else {
                portfolio.settle(intent, order.filledQuantity(), order.avgFillPrice());
                LOG.warn("Order {} (trade {}) was {} and the venue no longer knows it; counting it canceled",
                        intent.clientOrderId(), order.tradeKey(), order.state());
            }
            return;
        }
        if (wasUnresolved && status.state() == OrderState.REJECTED) {
            portfolio.release(intent);
            deadLetters.record(intent.source(), Reason.EXCHANGE_INVALID_ORDER, "venue reports the order rejected");
            return;
        }
        try {
            if (wasUnresolved) {
                copied(order, status);
            }
        } finally {
            // moved to its end by this pass: settled even when the outcome's write failed (the order is no longer
            // watched, so no later pass would settle it, and the book could not be refreshed until a restart)
            if (status.state().isTerminal()) {
                portfolio.settle(intent, status.filledQuantity(), status.avgFillPrice());
            }
        }
    }

    /**
     * Records COPIED for the trade of an unknown order this pass found at the venue and moved. A write that fails
     * (a store error, or a commit whose answer was lost and could not be read back) is held and written again at the
     * next pass ({@link #resolveOutcomesInDoubt}): the order has left UNKNOWN, so no later lookup would copy its trade.
     * Before, the trade stayed in flight, neither counted nor told, until the next start's recovery.
     */
    private void copied(OrderRecord order, OrderStatus status) {
        CopyIntent intent = order.intent();
        try {
            if (ledger.finish(intent.source(), TradeOutcome.COPIED, null, RESOLVED_BY_LOOKUP)) {
                LOG.info("Order {} (trade {}) found at the venue as {}: copied", intent.clientOrderId(), order.tradeKey(),
                        status.state());
            }
        } catch (RuntimeException failed) {
            outcomesInDoubt.put(order.clientOrderId(), order);
            LOG.error("Order {} (trade {}) found at the venue as {}, and its trade's outcome could not be written ({}); "
                    + "written again at the next pass", intent.clientOrderId(), order.tradeKey(), status.state(),
                    Failures.rootOf(failed).toString());
        }
    }

    /**
     * Writes again the outcomes {@link #copied} could not write, each once: read back first, so a write that was
     * committed though its answer was lost is counted and told now and not written twice
     * ({@link TradeLedger#finishAgain}); the followers of an aggregate take the outcome with it. Held by the instance
     * whose pass moved the order (with several engines on one store, its claimant), so one instance writes it. One
     * the store still cannot take waits for the next pass.
     */
    private void resolveOutcomesInDoubt() {
        for (OrderRecord order : outcomesInDoubt.values()) {
            CopyIntent intent = order.intent();
            try {
                if (ledger.finishAgain(intent.source(), TradeOutcome.COPIED, null, RESOLVED_BY_LOOKUP)) {
                    LOG.info("Order {} (trade {}) found at the venue earlier: copied, its outcome written after the "
                            + "store failed", intent.clientOrderId(), order.tradeKey());
                }
                outcomesInDoubt.remove(order.clientOrderId());
            } catch (RuntimeException stillFailing) {
                LOG.debug("Trade {}: its outcome still cannot be written: {}", order.tradeKey(), stillFailing.toString());
            }
        }
    }

    /**
     * Moves the order to what the lookup found (a NOT_FOUND {@code status}: FAILED or CANCELED with the fill recorded).
     * A write that reported an error may have committed all the same (a PostgreSQL connection dropped between the
     * commit and its answer); the order would then no longer be watched, its trade never ended nor its book settled.
     * Read back: found as written, it is taken as moved by this pass (an order not in a consumer's hand is moved by the
     * monitor alone). Else the error stands and the next pass retries. A read-back that fails too holds the move in
     * doubt, its order left alone, until the next pass can read it ({@link #resolveMovesInDoubt}).
     */
    private boolean moveOrder(OrderRecord order, OrderRecordState next, OrderStatus status) {
        ClientOrderId id = order.clientOrderId();
        boolean found = status.state() == OrderState.NOT_FOUND;
        BigDecimal filled = found ? null : status.filledQuantity();
        try {
            return store.moveOrder(id, next, found ? null : status.venueOrderId(), filled,
                    found ? null : status.avgFillPrice());
        } catch (StoreException failed) {
            boolean written;
            try {
                written = movedAsWritten(id, next, filled);
            } catch (RuntimeException stillFailing) {
                failed.addSuppressed(stillFailing);
                movesInDoubt.put(id, new MoveInDoubt(order, next, status));
                LOG.error("Order {}: its move to {} reported an error and could not be read back ({}); read back at "
                        + "the next pass", id, next, Failures.rootOf(stillFailing).toString());
                throw failed;
            }
            if (!written) {
                throw failed;
            }
            LOG.info("Order {}: the move to {} was committed though its answer was lost", id, next);
            return true;
        }
    }

    /** Whether the order is as a move to {@code next} with {@code filled} (null: any) left it. Throws if unreadable. */
    private boolean movedAsWritten(ClientOrderId id, OrderRecordState next, BigDecimal filled) {
        return store.order(id).filter(o -> o.state() == next
                && (filled == null || same(filled, o.filledQuantity()))).isPresent();
    }

    /**
     * Reads back the moves held in doubt ({@link #moveOrder}): found written, the move was this monitor's (the order
     * was left alone meanwhile), and what follows it is done now, once; not written, the order is watched again and
     * looked up as any. Before, a move committed though its answer was lost and whose read-back failed left the order
     * ended in the store and never settled: its reservation held back every refresh of the book until a restart, and
     * an unknown order's trade stayed in flight.
     */
    private void resolveMovesInDoubt(Instant now) {
        for (MoveInDoubt doubt : movesInDoubt.values()) {
            ClientOrderId id = doubt.order().clientOrderId();
            boolean written;
            try {
                written = movedAsWritten(id, doubt.next(), doubt.status().state() == OrderState.NOT_FOUND ? null
                        : doubt.status().filledQuantity());
            } catch (RuntimeException stillFailing) {
                LOG.debug("Order {}: its move to {} still cannot be read back: {}", id, doubt.next(), stillFailing.toString());
                continue;
            }
            movesInDoubt.remove(id);
            if (written) {
                LOG.info("Order {}: the move to {} was committed though its answer was lost", id, doubt.next());
                try {
                    moved(doubt.order(), doubt.next(), doubt.status(), now);
                } catch (RuntimeException e) {
                    LOG.error("Monitoring order {} failed", id, e);
                }
            }
        }
    }

    /**
     * Replaces the book with the venue's balance and positions plus our open orders, if the book did not move
     * while they were read (else reads them again, a few times; the next refresh tries again). What an open buy has
     * filled is asked of the venue after its positions: the store knows a fill only once a pass looked the order up,
     * and positions that hold shares the store does not know filled yet would count them twice (once held, once to
     * come), so the next sells would be sized above what the venue holds. Asked after, a fill is never missing from
     * what is counted filled; one that comes in between is counted filled but not held, which errs on the side of
     * selling less until the next refresh.
     */
    public void refreshBook() {
        bookRefreshes.incrementAndGet();
        try {
            for (int attempt = 1; attempt <= 3; attempt++) {
                long seen = portfolio.version();
                BigDecimal cash = adapter.onBalanceReply(http.execute(adapter.balance()));
                var positions = adapter.onPositionsReply(http.execute(adapter.positions()));
                List<OrderRecord> open = store.ordersIn(NOT_TERMINAL);
                Map<CopyIntent, BigDecimal> filled = new HashMap<>();
                for (OrderRecord o : open) {
                    BigDecimal known = o.filledQuantity() == null ? BigDecimal.ZERO : o.filledQuantity();
                    filled.put(o.intent(), o.intent().side() == Side.BUY ? known.max(filledAtVenue(o)) : known);
                }
                if (portfolio.reconcileIfUnchanged(seen, cash, positions, open.stream().map(OrderRecord::intent).toList(),
                        filled)) {
                    lastRefresh = clock.instant();
                    return;
                }
            }
            LOG.debug("The book kept moving while the venue's balance and positions were read; refreshing later");
            lastRefresh = clock.instant();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not refresh balance and positions from the venue: {}", e.toString());
        }
    }

    /** What the venue says this order filled; zero for an order it does not know (or was never sent). */
    private BigDecimal filledAtVenue(OrderRecord order) throws IOException {
        if (adapter.knowsOrderIdBeforeSending() && order.venueOrderId() == null) {
            return BigDecimal.ZERO; // never signed, so never sent
        }
        OrderStatus status = adapter.onLookupReply(order.intent(), order.venueOrderId(),
                http.execute(adapter.lookupOrder(order.intent(), order.venueOrderId())));
        return status.state() == OrderState.NOT_FOUND || status.filledQuantity() == null
                ? BigDecimal.ZERO : status.filledQuantity();
    }

    /** How many times the book was read from the venue since start (each read is a balance and a positions call). */
    long bookRefreshes() {
        return bookRefreshes.get();
    }

    private static boolean same(BigDecimal a, BigDecimal b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.compareTo(b) == 0;
    }
}

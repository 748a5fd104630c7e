package io.copytrader.store;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;
import io.copytrader.domain.VenueOrderId;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the engine must not forget (DESIGN section 5). Every method is thread-safe and, in the durable
 * implementation, has happened on disk when it returns.
 *
 * <p>The invariant it keeps: a trade admitted past dedup ends in exactly one terminal outcome, so
 * {@code detected = sum(outcomes) + inFlight} at every moment.
 */
public interface TradeStore extends AutoCloseable {

    // ---- feed cursors -------------------------------------------------------------------------------------

    Optional<String> cursor(TraderId trader);

    void saveCursor(TraderId trader, String cursor);

    // ---- trades ---------------------------------------------------------------------------------------------

    /**
     * Stores a newly detected trade, in flight, keyed by {@link DetectedTrade#key()}. Returns false when the key
     * is stored already (a duplicate): with concurrent callers exactly one gets true.
     *
     * <p>In the same write, the dead letters of that key are marked admitted ({@link DeadLetter#admittedAt()}): a
     * letter that exists before its trade is stored was written while the trade was in no table (a feed trade whose
     * admission the store refused; trades are never deleted), and is no failure of the trade, which goes through the
     * pipeline from here. Every admission below does the same; a duplicate marks nothing.
     */
    boolean admit(DetectedTrade trade);

    /**
     * {@link #admit} for a detection with two sources of the same fills (the chain and the Data API), recording
     * {@code source} with the trade in the same write. Also a duplicate (false, nothing stored): a trade whose fill
     * group, the same trader, source order (transaction), instrument and side, already holds a trade another source
     * admitted. Each source reports every fill of a transaction, but the two need not agree to the last digit (a price
     * computed from amounts against one reported, one row for fills the other reports apart), so the source that saw a
     * transaction's fills first copies them all and the other's rows of it are the same fills. A {@code null} source
     * is {@link #admit}. Trades without a source order are never in a group.
     */
    boolean admit(DetectedTrade trade, String source);

    /** {@link #admitAll(java.util.List)} with each trade admitted as {@link #admit(DetectedTrade, String)} would. */
    default java.util.List<Boolean> admitAll(java.util.List<DetectedTrade> trades, String source) {
        return admitPage(trades, source).answers();
    }

    /**
     * Admits several trades as {@link #admit} would, one after the other, answering for each in order: true admitted,
     * false a duplicate, null not stored (the write failed; admitting it alone again reports the error). A store may
     * commit them together (SQLite: one group commit for a polled page instead of one fsync per trade).
     */
    default java.util.List<Boolean> admitAll(java.util.List<DetectedTrade> trades) {
        return admitPage(trades, null).answers();
    }

    /**
     * {@link #admitAll(java.util.List, String)}, telling why it stopped: a store that writes the trades one by one
     * stops at the first write refused with a transient error ({@link StoreException#isTransient}: the database
     * unreachable, no connection free in time) and answers null for the trades after it without trying them. Each of
     * those writes would wait as long as the first did (a pool's connection timeout, 30 s), so a page of N trades
     * held its caller N times that. A deadlock or a serialization failure, transient for one transaction only, stops
     * the page too: its untried trades are read again at the next poll. A store that commits the page together
     * answers for each trade and reports no refusal.
     */
    default PageAdmission admitPage(java.util.List<DetectedTrade> trades, String source) {
        java.util.List<Boolean> answers = new java.util.ArrayList<>(trades.size());
        StoreException refusal = null;
        for (DetectedTrade t : trades) {
            Boolean answer = null;
            if (refusal == null) {
                try {
                    answer = source == null ? admit(t) : admit(t, source);
                } catch (StoreException e) {
                    refusal = e.isTransient() ? e : null;
                }
            }
            answers.add(answer);
        }
        return new PageAdmission(answers, refusal);
    }

    /**
     * A page's admission ({@link #admitPage}): an answer for each trade, in order (null: not stored), and the transient
     * refusal that stopped the page, or null.
     */
    record PageAdmission(java.util.List<Boolean> answers, StoreException refusal) {
    }

    /**
     * Records the terminal outcome of an admitted trade. Returns false (and changes nothing) when the trade
     * already has one or was never admitted: the first outcome wins.
     *
     * @param reason null for COPIED
     * @param detail free text for people, may be null; never holds secrets
     */
    boolean finish(String tradeKey, TradeOutcome outcome, Reason reason, String detail);

    /**
     * Records {@code outcome} as {@link #finish} does, but only while no order with {@code clientOrderId} is in the
     * outbox; returns whether it was recorded. With {@link #recordIntent} it settles a race between an instance's
     * orphan sweep and a consumer that took the trade late: the outcome and the intent exclude each other (on
     * PostgreSQL both take the trade's row lock first), so a trade never ends EXPIRED with an order written for it.
     */
    boolean finishIfNoOrder(String tradeKey, ClientOrderId clientOrderId, TradeOutcome outcome, Reason reason,
                            String detail);

    /**
     * {@link #finish} for several trades with the same outcome (the fills and joined trades an order copied), in order:
     * for each, whether this was its first outcome. A store may commit them together.
     */
    default java.util.List<Boolean> finishAll(java.util.List<String> tradeKeys, TradeOutcome outcome, Reason reason,
                                              String detail) {
        java.util.List<Boolean> answers = new java.util.ArrayList<>(tradeKeys.size());
        for (String key : tradeKeys) {
            answers.add(finish(key, outcome, reason, detail));
        }
        return answers;
    }

    /**
     * The one exception to "the first outcome wins": a trade recorded SKIPPED, DROPPED or EXPIRED whose order the
     * venue accepted becomes COPIED, because the venue's acceptance is what happened. Only several instances sharing a
     * Kafka queue can get there (the record moved to a second instance, which skipped the trade while the first still
     * had its order out; or an instance's orphan sweep expired a fill of an aggregate before the aggregate's order was
     * written; a trade's own order and its expiry exclude each other, {@link #finishIfNoOrder}). Returns true when the outcome changed; any other outcome is left as
     * it is.
     */
    boolean correctToCopied(String tradeKey, String detail);

    /**
     * Clears the outcome of a FAILED trade so it can go through the pipeline again (dead-letter replay), and its link
     * to an aggregate: a replay copies the trade on its own. Returns false unless the trade is FAILED.
     */
    boolean reopen(String tradeKey);

    Optional<DetectedTrade> trade(String tradeKey);

    /** The trade's terminal outcome; empty while in flight or when never admitted. */
    Optional<TradeOutcome> outcome(String tradeKey);

    /** Admitted trades with no outcome yet, oldest first: what a restart must resolve. */
    List<DetectedTrade> inFlight();

    /**
     * Trades in flight because a person replayed one of their dead letters (the replay reopened them), oldest first:
     * what a running engine must pick up. Reads only those, not every trade in flight (the monitor asks twice a
     * second, and under load thousands are in flight). A letter its trade was admitted after does not count: replayed
     * while the trade was in no table, it reopened nothing, and the trade is in flight from its admission.
     */
    default List<DetectedTrade> replayedInFlight() {
        java.util.Set<String> replayed = new java.util.HashSet<>();
        for (DeadLetter d : deadLetters()) {
            if (d.replayedAt() != null && d.admittedAt() == null) {
                replayed.add(d.trade().key());
            }
        }
        return replayed.isEmpty() ? List.of() : inFlight().stream().filter(t -> replayed.contains(t.key())).toList();
    }

    /** Trades in flight whose event happened before {@code tsEvent}, oldest first. */
    default List<DetectedTrade> inFlightBefore(java.time.Instant tsEvent) {
        return inFlight().stream().filter(t -> t.tsEvent().isBefore(tsEvent)).toList();
    }

    /** Count of trades per terminal outcome (every outcome present, zero when none). */
    Map<TradeOutcome, Long> outcomeCounts();

    /**
     * Count of ended trades per outcome and reason (reason null for COPIED and the other reasonless outcomes):
     * what the engine's counters start from, so the metrics and the store agree across restarts.
     */
    Map<TradeOutcome, Map<Reason, Long>> outcomeCountsByReason();

    long inFlightCount();

    long detectedCount();

    // ---- fill aggregation (docs/aggregation.md) ---------------------------------------------------------------

    /** A trade's terminal outcome and its reason (null for COPIED and the other reasonless outcomes). */
    record Ended(TradeOutcome outcome, Reason reason) {
    }

    /** The trade's outcome with its reason; empty while in flight or when never admitted. */
    Optional<Ended> ended(String tradeKey);

    /**
     * Records that these admitted trades are copied as part of {@code leaderKey}'s order and take its outcome (one
     * target order filled in pieces, aggregated). Written before the aggregate is queued, so a restart finds the group.
     * The leader leads: a link of its own to another trade (a group of a previous run, regrouped at a restart) is
     * removed in the same write, so links never make a chain or a cycle.
     */
    void linkAggregate(String leaderKey, Collection<String> followerKeys);

    /** The trades linked to {@code leaderKey}'s aggregate that have no outcome yet, oldest first. */
    List<DetectedTrade> aggregateMembers(String leaderKey);

    /** For every trade in flight that is linked to an aggregate: its key to the aggregate's leader's key. */
    Map<String, String> aggregateLinks();

    // ---- where a trade was detected (chain detection) ------------------------------------------------------------

    /** Records that an admitted trade was detected by {@code source} (not the venue's own feed); no-op if unknown. */
    void recordSource(String tradeKey, String source);

    /** The source recorded for a trade; empty for the venue's own feed or an unknown trade. */
    Optional<String> source(String tradeKey);

    /** Records that a chain reorg removed the trade's fill after our order was sent. */
    void markReorged(String tradeKey);

    boolean reorged(String tradeKey);

    // ---- orders (the outbox) ----------------------------------------------------------------------------------

    /**
     * Persists the intent as SUBMITTING before the request is sent. Returns false when an order with this client
     * order id exists already, or when the trade has an outcome already (an orphan sweep expired it, another
     * instance ended it: nothing is written then): the caller must not send.
     */
    boolean recordIntent(String tradeKey, CopyIntent intent);

    /**
     * Updates an order's state and what the venue told us, unconditionally; null arguments keep the stored value.
     * The engine moves states with {@link #moveOrder}; this stays for facts that do not change the state (a venue
     * order id learnt while preparing).
     */
    void updateOrder(ClientOrderId clientOrderId, OrderRecordState state, VenueOrderId venueOrderId,
                     BigDecimal filledQuantity, BigDecimal avgFillPrice);

    /**
     * Moves an order to {@code to} only if its current state is in {@code to.allowedFrom()} (a compare-and-set), and
     * records what the venue told us (null arguments keep the stored value). Returns false, changing nothing, when
     * the order is missing or in a state it may not move from: with concurrent callers at most one moves it into a
     * terminal state, and that caller alone settles or releases the book.
     */
    boolean moveOrder(ClientOrderId clientOrderId, OrderRecordState to, VenueOrderId venueOrderId,
                      BigDecimal filledQuantity, BigDecimal avgFillPrice);

    /**
     * What {@link #moveOrderAndFinish} changed: whether the order moved, whether the outcome was the first, and for the
     * followers written with it, in order, whether each outcome was its first (null when none was written: the call
     * named none, or the trade's outcome was not its first).
     */
    record MovedAndFinished(boolean moved, boolean finished, java.util.List<Boolean> followers) {
        public MovedAndFinished(boolean moved, boolean finished) {
            this(moved, finished, null);
        }
    }

    /**
     * {@link #moveOrder} and {@link #finish} in one durable write (one commit), for a venue's answer that ends both
     * the order's sending and the trade: both take effect or neither, each under its own condition (the order's
     * allowed states; the trade's first outcome). One write instead of two on the path of every copied trade.
     */
    default MovedAndFinished moveOrderAndFinish(ClientOrderId clientOrderId, OrderRecordState to,
                                                VenueOrderId venueOrderId, BigDecimal filledQuantity,
                                                BigDecimal avgFillPrice, String tradeKey, TradeOutcome outcome,
                                                Reason reason, String detail) {
        boolean moved = moveOrder(clientOrderId, to, venueOrderId, filledQuantity, avgFillPrice);
        return new MovedAndFinished(moved, finish(tradeKey, outcome, reason, detail));
    }

    /**
     * {@link #moveOrderAndFinish} for the leader of an aggregate: when the trade's outcome is its first, the trades
     * that follow it take the same outcome ({@link #finishAll}, with {@code followerDetail}) in the same write. A
     * store may commit it all at once (one commit instead of two on the path of an order that copies several trades);
     * then a failure writes none of it.
     */
    default MovedAndFinished moveOrderAndFinish(ClientOrderId clientOrderId, OrderRecordState to,
                                                VenueOrderId venueOrderId, BigDecimal filledQuantity,
                                                BigDecimal avgFillPrice, String tradeKey, TradeOutcome outcome,
                                                Reason reason, String detail, java.util.List<String> followerKeys,
                                                String followerDetail) {
        MovedAndFinished both = moveOrderAndFinish(clientOrderId, to, venueOrderId, filledQuantity, avgFillPrice,
                tradeKey, outcome, reason, detail);
        if (!both.finished() || followerKeys.isEmpty()) {
            return both;
        }
        return new MovedAndFinished(both.moved(), true, finishAll(followerKeys, outcome, reason, followerDetail));
    }

    /**
     * Persists an order's signed form and the venue id it is known by (its hash), in one write, before the order is
     * first sent: whatever is posted for this order from then on is exactly {@code signedOrder}, until it is signed
     * again (which replaces both). Changes nothing when the order is missing.
     */
    void recordSigned(ClientOrderId clientOrderId, VenueOrderId venueOrderId, String signedOrder);

    /** The signed form persisted by {@link #recordSigned}; empty when the order was never signed or is missing. */
    Optional<String> signedOrder(ClientOrderId clientOrderId);

    Optional<OrderRecord> order(ClientOrderId clientOrderId);

    List<OrderRecord> ordersIn(Collection<OrderRecordState> states);

    // ---- dead letters ---------------------------------------------------------------------------------------

    /** Returns the new letter's id. */
    long addDeadLetter(DetectedTrade trade, Reason reason, String detail);

    /** Newest first. */
    List<DeadLetter> deadLetters();

    /**
     * One page of the letters {@code filter} selects, newest first: those with an id below {@code beforeId}, at most
     * {@code limit}. The CLI reads and replays letters page by page, so a store holding tens of thousands is never
     * read whole into memory.
     */
    default List<DeadLetter> deadLetters(DeadLetterFilter filter, long beforeId, int limit) {
        return deadLetters().stream().filter(d -> d.id() < beforeId && filter.test(d)).limit(limit).toList();
    }

    /** How many letters {@code filter} selects, counted by the store. */
    default long countDeadLetters(DeadLetterFilter filter) {
        return deadLetters().stream().filter(filter::test).count();
    }

    /**
     * Which dead letters: those with {@code reason} (null: any), only the pending ones ({@link DeadLetter#pending()}:
     * not replayed, their trade not admitted after them) when {@code pending}.
     */
    record DeadLetterFilter(Reason reason, boolean pending) {
        public static final DeadLetterFilter ALL = new DeadLetterFilter(null, false);

        public boolean test(DeadLetter d) {
            return (reason == null || d.reason() == reason) && (!pending || d.pending());
        }
    }

    /**
     * How many dead letters wait for a person ({@link DeadLetter#pending()}: not replayed, their trade not admitted
     * after them) and how many there are in all, counted by the store rather than read: the dashboard and the
     * pending-letters gauge ask up to once a second, and a store that ran for months holds tens of thousands.
     */
    default DeadLetterCounts deadLetterCounts() {
        List<DeadLetter> all = deadLetters();
        return new DeadLetterCounts(all.stream().filter(DeadLetter::pending).count(), all.size());
    }

    /** Dead letters pending (not replayed, their trade not admitted after them), and all of them. */
    record DeadLetterCounts(long pending, long total) {
    }

    Optional<DeadLetter> deadLetter(long id);

    /**
     * Returns false when it was replayed already (replay at most once per letter), or when its trade was admitted after
     * it ({@link DeadLetter#admittedAt()}: not a failure of the trade, nothing to replay); true when it marked it.
     */
    boolean markReplayed(long id);

    // ---- several instances on one store (claims are leases: renewed by the holder, taken over when they run out) --

    /**
     * Claims, for {@code owner}, the orders in these states that no other instance holds (never claimed, or the
     * lease ran out), renewing those {@code owner} holds already, until {@code until}; returns them, oldest first,
     * at most {@code limit}. The monitor looks only after what it claimed, so an order is looked after by one
     * instance at a time. A store that only one instance uses may return {@link #ordersIn} (the default).
     */
    default List<OrderRecord> claimOrders(Collection<OrderRecordState> states, String owner, java.time.Instant until,
                                          int limit) {
        List<OrderRecord> all = ordersIn(states);
        return all.size() <= limit ? all : all.subList(0, limit);
    }

    /**
     * Claims one trade without an outcome for {@code owner} until {@code until}, if nobody holds it (a claim is one
     * piece of work: not renewed, taken again only once its lease ran out); false when it is held or has ended. The
     * default (one instance) grants it to any trade without an outcome.
     */
    default boolean claimTrade(String tradeKey, String owner, java.time.Instant until) {
        return outcome(tradeKey).isEmpty();
    }

    /**
     * Claims a named piece of work (a trader's detection) for {@code owner} until {@code until}: granted when nobody
     * holds it, its lease ran out, or {@code owner} holds it already (a renewal); false while another instance does.
     * The default (one instance) always grants it.
     */
    default boolean claim(String name, String owner, java.time.Instant until) {
        return true;
    }

    @Override
    void close();
}

package io.copytrader.engine;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.StoreException;
import io.copytrader.store.TradeStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place a trade's terminal outcome is written: to the store first (first outcome wins), then to the
 * metrics, so the store and the metrics agree on {@code detected = outcomes + in flight}.
 */
public final class TradeLedger {
    private static final Logger LOG = LoggerFactory.getLogger(TradeLedger.class);

    private final TradeStore store;
    private final PipelineMetrics metrics;
    /** Store writes made before an order is sent, tried again after a transient error (the joined trades' links). */
    private final StoreRetries storeRetries;
    /** Trades this process is handling (admitted or re-queued here, not yet ended). */
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private volatile OutcomeListener outcomeListener;

    /** Told of every terminal outcome right after it was recorded, on the thread that recorded it; must be quick. */
    public interface OutcomeListener {
        void onOutcome(DetectedTrade trade, TradeOutcome outcome, Reason reason);
    }
    /** Aggregates this process knows of: the leader's trade key to the fills that take its outcome. */
    private final java.util.Map<String, java.util.List<DetectedTrade>> aggregates = new ConcurrentHashMap<>();
    /** The followers of those aggregates: a follower's key to its leader's key. */
    private final java.util.Map<String, String> followerOf = new ConcurrentHashMap<>();
    /**
     * With several instances an aggregate may have been made by another one: an outcome of a trade this instance
     * does not know as a leader then looks its followers up in the store.
     */
    private volatile boolean aggregatesInStore;
    /**
     * Trades whose admission failed here (an error, or no answer from a page's write), so may or may not be stored:
     * {@link #admittedBefore} decides when one is read again. Bounded: the oldest are forgotten (such a trade then
     * waits for a restart's recovery, as before).
     */
    private final Set<String> inDoubt = java.util.Collections.newSetFromMap(java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
                    return size() > MAX_IN_DOUBT;
                }
            }));
    private static final int MAX_IN_DOUBT = 10_000;
    /** Set on one instance only (see {@link #resolvingLostAdmissions}). */
    private volatile boolean lostAdmissionsResolved;
    /** Trades whose source fill a chain reorg removed: no order may be sent for them from now on. */
    private final Set<String> retracted = ConcurrentHashMap.newKeySet();

    public TradeLedger(TradeStore store, PipelineMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
        this.storeRetries = new StoreRetries(metrics);
    }

    public TradeStore store() {
        return store;
    }

    public PipelineMetrics metrics() {
        return metrics;
    }

    /** How a store write made before an order is sent is tried again after a transient error ({@link StoreRetries}). */
    public StoreRetries storeRetries() {
        return storeRetries;
    }

    /**
     * Whether this engine is alone on its store (see {@link #resolvingLostAdmissions}): a row the store holds from a
     * write of this engine that reported an error (its answer lost) can then be told from another instance's.
     */
    public boolean aloneOnStore() {
        return lostAdmissionsResolved;
    }

    /** Admits a detected trade; false for a duplicate. */
    public boolean admit(DetectedTrade trade) {
        return admit(trade, null);
    }

    /**
     * Admits a trade detected by {@code source}, one of two sources of the same fills (null: the only one); false
     * for a duplicate, a fill another source admitted included ({@link TradeStore#admit(DetectedTrade, String)}).
     */
    public boolean admit(DetectedTrade trade, String source) {
        // claimed before the store write, so no one sees it in flight and unclaimed; a duplicate (a re-read page)
        // must not release a claim someone else holds (recovery's, after a restart)
        boolean claimedHere = active.add(trade.key());
        boolean admitted;
        try {
            admitted = store.admit(trade, source);
        } catch (RuntimeException failed) {
            if (claimedHere) {
                active.remove(trade.key());
                inDoubt.add(trade.key());
            }
            throw failed;
        }
        if (!admitted && claimedHere && inDoubt.remove(trade.key()) && admittedBefore(trade, source)) {
            admitted = true;
        }
        if (admitted) {
            metrics.detected();
            metrics.target(trade.trader().value(), "DETECTED");
        } else if (claimedHere) {
            active.remove(trade.key());
        }
        return admitted;
    }

    /**
     * Admits a polled page's trades together (one group commit on SQLite), as {@link #admit} would one by one: for each
     * trade in order, true admitted, false a duplicate, null not stored (admitting it alone again reports why).
     */
    public List<Boolean> admitAll(List<DetectedTrade> trades) {
        return admitAll(trades, null);
    }

    /** {@link #admitAll(List)} for trades detected by {@code source} ({@link #admit(DetectedTrade, String)}). */
    public List<Boolean> admitAll(List<DetectedTrade> trades, String source) {
        return admitPage(trades, source).answers();
    }

    /**
     * {@link #admitAll(List, String)}, with the transient refusal that stopped the page's writes, if one did
     * ({@link TradeStore#admitPage}): the trades it left untried are better read again later than admitted alone now.
     */
    public TradeStore.PageAdmission admitPage(List<DetectedTrade> trades, String source) {
        List<Boolean> claimedHere = new ArrayList<>(trades.size());
        trades.forEach(t -> claimedHere.add(active.add(t.key())));
        TradeStore.PageAdmission page = store.admitPage(trades, source);
        List<Boolean> admitted = new ArrayList<>(page.answers());
        for (int i = 0; i < trades.size(); i++) {
            DetectedTrade trade = trades.get(i);
            if (Boolean.FALSE.equals(admitted.get(i)) && claimedHere.get(i) && inDoubt.remove(trade.key())
                    && admittedBefore(trade, source)) {
                admitted.set(i, true);
            }
            if (Boolean.TRUE.equals(admitted.get(i))) {
                metrics.detected();
                metrics.target(trade.trader().value(), "DETECTED");
            } else if (claimedHere.get(i)) {
                active.remove(trade.key());
                if (admitted.get(i) == null) {
                    inDoubt.add(trade.key());
                }
            }
        }
        return new TradeStore.PageAdmission(admitted, page.refusal());
    }

    /**
     * Whether a trade the store now calls a duplicate was stored by this process's own earlier admission of it, the
     * one that failed (in doubt): a write can commit and its answer be lost (a PostgreSQL connection dropped after the
     * commit), and the detection then reads the trade again. Nothing handles such a trade: no outcome, no order, and
     * no other source's row (a fill another source admitted is that source's to copy). It is admitted now, so it is
     * copied once, instead of staying in flight, unhandled, until a restart's recovery.
     */
    private boolean admittedBefore(DetectedTrade trade, String source) {
        if (!lostAdmissionsResolved) {
            return false;
        }
        String key = trade.key();
        boolean ours = store.trade(key).isPresent() && store.outcome(key).isEmpty()
                && java.util.Objects.equals(store.source(key).orElse(null), source)
                && store.order(trade.clientOrderId()).isEmpty();
        if (ours) {
            LOG.info("Trade {} was stored by an admission whose answer was lost; admitted now", key);
        }
        return ours;
    }

    /**
     * Admits a trade read again after an admission that failed here, when the store holds it from that admission
     * (its answer was lost) and nothing handles it ({@link #admittedBefore}). Only for an engine alone on its store
     * (the engine lock sees to that): with several instances another one may have admitted the same trade meanwhile
     * and be handling it, unseen from here; their orphan sweep ends such a trade instead.
     */
    public TradeLedger resolvingLostAdmissions(boolean on) {
        this.lostAdmissionsResolved = on;
        return this;
    }

    /** Claims a trade admitted earlier (by a previous run, or reopened by a replay); false if already claimed. */
    public boolean claim(DetectedTrade trade) {
        return active.add(trade.key());
    }

    /** From now on no order is sent for this trade (its fill was removed by a reorg); see OrderPlacer#prepare. */
    public void retract(String tradeKey) {
        retracted.add(tradeKey);
    }

    public boolean isRetracted(String tradeKey) {
        return retracted.contains(tradeKey);
    }

    /** Gives up a claim without an outcome. */
    public void release(DetectedTrade trade) {
        active.remove(trade.key());
    }


    /**
     * Makes {@code followers} take the outcome of {@code leader}'s trade (fills of one target order copied as one
     * order, docs/aggregation.md): the link is stored first, so a restart finds the group.
     */
    public void aggregate(DetectedTrade leader, java.util.List<DetectedTrade> followers) {
        if (followers.isEmpty()) {
            return;
        }
        store.linkAggregate(leader.key(), followers.stream().map(DetectedTrade::key).toList());
        remember(leader.key(), java.util.List.copyOf(followers));
    }

    /**
     * Trades that waited in the copy queue behind an order of their instrument join the trade taken before them, to be
     * copied by one order (docs/ordering.md, "Joining"): each joined trade, and the fills that already follow it, now
     * follow {@code leader}. Remembered before the link is stored, so a failed write still gives them the leader's
     * outcome; stored before the order's intent, so a restart finds them with it.
     *
     * @return how many source trades the leader's order now copies, the leader included
     */
    public int join(DetectedTrade leader, java.util.List<DetectedTrade> joined) {
        java.util.List<DetectedTrade> moved = new ArrayList<>();
        for (DetectedTrade t : joined) {
            moved.add(t);
            java.util.List<DetectedTrade> its = aggregates.remove(t.key());
            if (its != null) {
                moved.addAll(its);
            }
        }
        java.util.List<DetectedTrade> followers = new ArrayList<>(aggregates.getOrDefault(leader.key(),
                java.util.List.of()));
        followers.addAll(moved);
        remember(leader.key(), java.util.List.copyOf(followers));
        // sets the same links however often it runs: tried again in place after a transient store error
        java.util.List<String> movedKeys = moved.stream().map(DetectedTrade::key).toList();
        storeRetries.write(() -> "link " + movedKeys.size() + " joined trade(s) to " + leader.key(),
                () -> store.linkAggregate(leader.key(), movedKeys));
        return followers.size() + 1;
    }

    private void remember(String leaderKey, java.util.List<DetectedTrade> followers) {
        followerOf.remove(leaderKey); // it leads: whatever group it was in before (a previous run's) is gone
        followers.forEach(f -> followerOf.put(f.key(), leaderKey));
        aggregates.put(leaderKey, followers);
    }

    /** The trades that take this trade's outcome (none when it leads no aggregate). */
    public java.util.List<DetectedTrade> followers(DetectedTrade leader) {
        java.util.List<DetectedTrade> known = aggregates.get(leader.key());
        if (known != null) {
            return known;
        }
        return aggregatesInStore ? store.aggregateMembers(leader.key()) : java.util.List.of();
    }

    /** True when the trade takes the outcome of another trade's aggregate (it never gets one of its own). */
    public boolean isFollower(String tradeKey) {
        return followerOf.containsKey(tradeKey);
    }

    /** Several instances share the store: look up aggregates made elsewhere when a trade ends (see the field). */
    public TradeLedger aggregatesInStore(boolean on) {
        this.aggregatesInStore = on;
        return this;
    }

    /** Learns an aggregate from the store (its leader was queued by another instance, or by a previous run). */
    public void adoptAggregate(String leaderKey) {
        java.util.List<DetectedTrade> followers = store.aggregateMembers(leaderKey);
        if (!followers.isEmpty()) {
            followers.forEach(f -> active.add(f.key()));
            remember(leaderKey, followers);
        }
    }

    /**
     * Records the outcome once; a second outcome for the same trade is ignored and logged at DEBUG. The fills of an
     * aggregate led by this trade take the same outcome, each counted as a source trade.
     */
    public boolean finish(DetectedTrade trade, TradeOutcome outcome, Reason reason, String detail) {
        return withFollowers(trade, outcome, reason, detail, finishOne(trade, outcome, reason, detail));
    }

    /**
     * {@link #finish} for several trades with one outcome, their outcomes in one store write (one group commit on
     * SQLite; the followers of an aggregate among them in a write of their own, as finish does). Returns for each
     * whether this was its first outcome. A store error is thrown as it comes; some of the trades may be recorded
     * then: {@link #finishAgain} tells which.
     */
    public List<Boolean> finishAll(List<DetectedTrade> trades, TradeOutcome outcome, Reason reason, String detail) {
        if (trades.size() == 1) {
            return List.of(finish(trades.get(0), outcome, reason, detail));
        }
        List<Boolean> firsts = store.finishAll(trades.stream().map(DetectedTrade::key).toList(), outcome, reason,
                detail);
        List<Boolean> answers = new ArrayList<>(trades.size());
        for (int i = 0; i < trades.size(); i++) {
            DetectedTrade trade = trades.get(i);
            answers.add(withFollowers(trade, outcome, reason, detail,
                    recorded(trade, outcome, reason, detail, firsts.get(i))));
        }
        return answers;
    }

    /**
     * Writes again an outcome whose earlier {@link #finish} by this handler failed (a store error; or a commit whose
     * answer was lost while the store could not be read back), so it is recorded, counted and told once. Read back
     * first: in flight still, it is finished now; ended with this outcome and reason while this process still holds
     * the trade (nothing here counted an outcome of it) and is alone on its store, the earlier write was committed,
     * and it is counted and told now, the aggregate's followers with it. Ended otherwise, it is taken as someone else's
     * outcome, counted by them, and only followers left unwritten by a failed write of this process are finished: with
     * several instances on one store another one may have written the same outcome meanwhile (its consumer took the
     * trade again and found the order ended), and an outcome counted by two is worse than one the store holds and the
     * metrics miss. Throws the store's error when it still cannot answer: the caller tries again later.
     *
     * @return whether this call recorded (or found recorded by the earlier write) the trade's first outcome
     */
    public boolean finishAgain(DetectedTrade trade, TradeOutcome outcome, Reason reason, String detail) {
        Optional<TradeStore.Ended> ended = store.ended(trade.key());
        if (ended.isEmpty()) {
            return finish(trade, outcome, reason, detail);
        }
        boolean same = ended.get().outcome() == outcome && ended.get().reason() == reason;
        if (same && lostAdmissionsResolved && active.contains(trade.key())) {
            LOG.info("Trade {}: its outcome {} was committed though the write's answer was lost", trade.key(), outcome);
            return withFollowers(trade, outcome, reason, detail, recorded(trade, outcome, reason, detail, true));
        }
        if (same && aggregates.containsKey(trade.key())) {
            // counted already; its followers' write failed after it
            withFollowers(trade, outcome, reason, detail, true);
        }
        return false;
    }

    /**
     * Records {@code outcome} as {@link #finish} does, but only while no order of the trade is in the outbox
     * ({@link TradeStore#finishIfNoOrder}): an instance's orphan sweep expires a trade this way, so a consumer that
     * took the same trade late and wrote its order first keeps it (and one that comes after finds the outcome and
     * writes no order). Returns whether it was recorded.
     */
    public boolean finishIfNoOrder(DetectedTrade trade, TradeOutcome outcome, Reason reason, String detail) {
        return withFollowers(trade, outcome, reason, detail, recorded(trade, outcome, reason, detail,
                store.finishIfNoOrder(trade.key(), trade.clientOrderId(), outcome, reason, detail)));
    }

    /**
     * Forgets a trade that was ended elsewhere while this process had it in hand (another instance's orphan sweep
     * recorded its outcome before its order was written here), with the fills that followed it here: their outcomes
     * are in the store already, written with its outcome.
     */
    public void endedElsewhere(DetectedTrade trade) {
        active.remove(trade.key());
        java.util.List<DetectedTrade> followers = aggregates.remove(trade.key());
        if (followers != null) {
            followers.forEach(f -> {
                active.remove(f.key());
                followerOf.remove(f.key());
            });
        }
    }

    /**
     * The venue accepted the trade's order: moves the order ({@link TradeStore#moveOrder}) and records the trade
     * COPIED in one durable write, and with it the outcomes of the trades that follow it in an aggregate this process
     * made (joined or aggregated fills: one write for the whole order). The caller settles the book by whether the
     * order moved, then calls {@link #copiedRecorded} with what was written, which does what {@link #finish} does
     * after its write (counts and tells, the followers too).
     */
    public Copied recordCopied(DetectedTrade trade, ClientOrderId clientOrderId, OrderRecordState to,
                               VenueOrderId venueOrderId, BigDecimal filledQuantity, BigDecimal avgFillPrice) {
        java.util.List<DetectedTrade> followers = aggregates.getOrDefault(trade.key(), java.util.List.of());
        try {
            return new Copied(store.moveOrderAndFinish(clientOrderId, to, venueOrderId, filledQuantity, avgFillPrice,
                    trade.key(), TradeOutcome.COPIED, null, null, followers.stream().map(DetectedTrade::key).toList(),
                    followerDetail(trade, null)), followers);
        } catch (StoreException failed) {
            return committedAnyway(trade, clientOrderId, to, failed);
        }
    }

    /**
     * A write of the venue's answer that reported an error may have committed all the same (a PostgreSQL connection
     * dropped between the commit and its answer): read back ({@link #copiedAfterAll}), and found written, answered as
     * written, so the copy is counted and the book settled as for any other. Else the error stands, with the read's own
     * error when the store could not answer that either.
     */
    private Copied committedAnyway(DetectedTrade trade, ClientOrderId clientOrderId, OrderRecordState to,
                                   StoreException failed) {
        Optional<Copied> written;
        try {
            written = copiedAfterAll(trade, clientOrderId, to);
        } catch (RuntimeException stillFailing) {
            failed.addSuppressed(stillFailing);
            throw failed;
        }
        if (written.isEmpty()) {
            throw failed;
        }
        LOG.info("Order {} (trade {}): the write of the venue's answer was committed though its answer was lost",
                clientOrderId, trade.key());
        return written.get();
    }

    /**
     * Reads back a write of {@link #recordCopied} whose answer is not known: the order in the state written and the
     * trade COPIED are that write's doing (while the order is being placed, or its answer is held for a read like this,
     * nothing else moves it or ends its trade), so it is answered as written, with the followers it wrote; empty when
     * the store holds no such write. Throws the store's error when the store cannot answer.
     */
    public Optional<Copied> copiedAfterAll(DetectedTrade trade, ClientOrderId clientOrderId, OrderRecordState to) {
        java.util.List<DetectedTrade> followers = aggregates.getOrDefault(trade.key(), java.util.List.of());
        if (store.outcome(trade.key()).filter(o -> o == TradeOutcome.COPIED).isEmpty()
                || store.order(clientOrderId).filter(o -> o.state() == to).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Copied(new TradeStore.MovedAndFinished(true, true, followers.stream()
                .map(f -> store.outcome(f.key()).isPresent()).toList()), followers));
    }

    /**
     * What {@link #recordCopied} wrote: the store's answer, and the followers it named (their outcomes are in
     * {@code written.followers()} when they were written with the trade's).
     */
    public record Copied(TradeStore.MovedAndFinished written, java.util.List<DetectedTrade> followers) {
        public boolean moved() {
            return written.moved();
        }
    }

    /** After {@link #recordCopied}: returns whether this was the trade's first outcome, as {@link #finish} does. */
    public boolean copiedRecorded(DetectedTrade trade, Copied copied) {
        TradeStore.MovedAndFinished written = copied.written();
        boolean first = recorded(trade, TradeOutcome.COPIED, null, null, written.finished());
        if (!first || written.followers() == null) {
            // the followers' outcomes were not written with the trade's (it had none, or its outcome was not the first
            // one, or was corrected to COPIED after): as finish does
            return withFollowers(trade, TradeOutcome.COPIED, null, null, first);
        }
        aggregates.remove(trade.key());
        String with = followerDetail(trade, null);
        for (int i = 0; i < copied.followers().size(); i++) {
            DetectedTrade follower = copied.followers().get(i);
            recorded(follower, TradeOutcome.COPIED, null, with, written.followers().get(i));
            followerOf.remove(follower.key());
        }
        return true;
    }

    private static String followerDetail(DetectedTrade leader, String detail) {
        return "with aggregate " + leader.key() + (detail == null ? "" : ": " + detail);
    }

    private boolean withFollowers(DetectedTrade trade, TradeOutcome outcome, Reason reason, String detail,
                                  boolean first) {
        java.util.List<DetectedTrade> followers = first ? aggregates.remove(trade.key()) : null;
        if (first && followers == null && aggregatesInStore) {
            followers = store.aggregateMembers(trade.key());
        }
        if (followers != null && !followers.isEmpty()) {
            String with = followerDetail(trade, detail);
            // one write for all of them (one group commit on SQLite), then each counted and told as finish does
            java.util.List<Boolean> firsts;
            try {
                firsts = store.finishAll(followers.stream().map(DetectedTrade::key).toList(), outcome, reason, with);
            } catch (RuntimeException failed) {
                aggregates.putIfAbsent(trade.key(), followers); // for finishAgain, once the store answers
                throw failed;
            }
            for (int i = 0; i < followers.size(); i++) {
                DetectedTrade follower = followers.get(i);
                recorded(follower, outcome, reason, with, firsts.get(i));
                followerOf.remove(follower.key());
            }
        }
        return first;
    }

    private boolean finishOne(DetectedTrade trade, TradeOutcome outcome, Reason reason, String detail) {
        boolean first;
        try {
            first = store.finish(trade.key(), outcome, reason, detail);
        } catch (StoreException failed) {
            first = endedAnyway(trade, outcome, reason, failed);
        }
        return recorded(trade, outcome, reason, detail, first);
    }

    /**
     * An outcome's write that reported an error may have committed all the same (a PostgreSQL connection dropped
     * between the commit and its answer): read back, the trade ended with this outcome and reason, by the handler that
     * holds it, is this write's doing and is counted and told as any first outcome. Else the error stands.
     */
    private boolean endedAnyway(DetectedTrade trade, TradeOutcome outcome, Reason reason, StoreException failed) {
        boolean written;
        try {
            written = active.contains(trade.key()) && store.ended(trade.key())
                    .filter(e -> e.outcome() == outcome && e.reason() == reason).isPresent();
        } catch (RuntimeException stillFailing) {
            failed.addSuppressed(stillFailing);
            throw failed;
        }
        if (!written) {
            throw failed;
        }
        LOG.info("Trade {}: its outcome {} was committed though the write's answer was lost", trade.key(), outcome);
        return true;
    }

    /** What follows the store's answer to an outcome's write: {@code first} is whether it was the first outcome. */
    private boolean recorded(DetectedTrade trade, TradeOutcome outcome, Reason reason, String detail, boolean first) {
        if (!first && outcome == TradeOutcome.COPIED && store.correctToCopied(trade.key(), detail)) {
            // COPIED is only ever recorded for an order the venue accepted; another instance skipped or dropped
            // the same record meanwhile (a partition moved while this one still had the order out), or expired it
            // as an orphan (a fill of this aggregate) before the aggregate's order was written
            LOG.warn("Trade {} was recorded skipped, dropped or expired by another instance while its order was "
                    + "accepted; recorded COPIED", trade.key());
            first = true;
        }
        if (first) {
            active.remove(trade.key());
            metrics.outcome(outcome, reason);
            metrics.target(trade.trader().value(), outcome.name());
            tell(trade, outcome, reason);
        } else {
            LOG.debug("Trade {} already has an outcome; ignoring {} {}", trade.key(), outcome, reason);
        }
        return first;
    }

    /** Sets the one listener told of outcomes (the operator's dashboard); null removes it. */
    public void outcomeListener(OutcomeListener listener) {
        this.outcomeListener = listener;
    }

    private void tell(DetectedTrade trade, TradeOutcome outcome, Reason reason) {
        OutcomeListener listener = outcomeListener;
        if (listener != null) {
            try {
                listener.onOutcome(trade, outcome, reason);
            } catch (RuntimeException e) {
                LOG.warn("Outcome listener failed for trade {}: {}", trade.key(), e.toString());
            }
        }
    }
}

package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.StoreException;
import io.copytrader.store.TradeStore;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Resolves what a previous run left unfinished, before polling resumes (the first step of detect-trades), and
 * picks up trades a person replayed from the dead letters while the engine runs (from monitor-orders).
 *
 * <ul>
 *   <li>Orders left SUBMITTING (the request may or may not have left) become UNKNOWN: the monitor looks them up
 *       by id; found, the trade is copied; still absent after the grace period, it fails to the dead letters.
 *       Never resent blindly.</li>
 *   <li>A trade in flight whose order the venue accepted is COPIED.</li>
 *   <li>A trade in flight with no order yet is re-queued if still fresh (or replayed by a person), else
 *       EXPIRED.</li>
 * </ul>
 */
public final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    /** A pass whose look for replayed trades the store failed. */
    private final AggregatedWarn replaysUnread = new AggregatedWarn(LOG,
            "Looks for replayed trades the store failed; the next monitoring pass looks again", 10_000);
    private static final Set<OrderRecordState> ACCEPTED = EnumSet.of(OrderRecordState.OPEN,
            OrderRecordState.PARTIALLY_FILLED, OrderRecordState.FILLED, OrderRecordState.CANCELED);

    private final TradeStore store;
    private final TradeLedger ledger;
    private final DeadLetterRecorder deadLetters;
    private final ProducerTemplate producer;
    private final String requeueUri;
    private final Duration maxTradeAge;
    private final Clock clock;
    /** How long past the age limit a trade with no order must wait before it counts as left behind. */
    private static final Duration ORPHAN_MARGIN = Duration.ofSeconds(10);
    private final boolean idKnownBeforeSending;
    private volatile boolean recovered;
    /** Null on one instance; on a Kafka queue shared by several engines, this one's name in the store's claims. */
    private final String instanceId;

    public Recovery(TradeStore store, TradeLedger ledger, DeadLetterRecorder deadLetters, ProducerTemplate producer,
                    String requeueUri, Duration maxTradeAge, Clock clock) {
        this(store, ledger, deadLetters, producer, requeueUri, maxTradeAge, clock, null, false);
    }

    /**
     * @param instanceId non-null when several engines share a Kafka copy queue and this store: then nothing is
     *                   recovered at startup (trades in flight are waiting in Kafka, or their orders are looked after
     *                   by whichever instance claims them), and {@link #adoptReplays} claims each trade it resolves
     * @param idKnownBeforeSending the venue's order id is persisted before an order is sent (Polymarket's hash): an
     *                             order left without one was never sent, and its trade is handled as having none
     */
    public Recovery(TradeStore store, TradeLedger ledger, DeadLetterRecorder deadLetters, ProducerTemplate producer,
                    String requeueUri, Duration maxTradeAge, Clock clock, String instanceId,
                    boolean idKnownBeforeSending) {
        this.instanceId = instanceId;
        this.idKnownBeforeSending = idKnownBeforeSending;
        this.store = store;
        this.ledger = ledger;
        this.deadLetters = deadLetters;
        this.producer = producer;
        this.requeueUri = requeueUri;
        this.maxTradeAge = maxTradeAge;
        this.clock = clock;
    }

    /** Runs the startup recovery once, on the first call (detect-trades calls it before every poll). */
    public void beforePolling() {
        if (!recovered) {
            synchronized (this) {
                if (!recovered) {
                    recoverAtStartup();
                    recovered = true;
                }
            }
        }
    }

    void recoverAtStartup() {
        if (instanceId != null) {
            return; // shared: see adoptShared
        }
        for (OrderRecord o : store.ordersIn(EnumSet.of(OrderRecordState.SUBMITTING))) {
            store.moveOrder(o.clientOrderId(), OrderRecordState.UNKNOWN, null, null, null);
        }
        Set<String> replayed = replayedTradeKeys();
        Map<String, Integer> counts = new TreeMap<>();
        for (DetectedTrade trade : withAggregatesRebuilt(store.inFlight(), counts)) {
            String what = claimAndResolve(trade, replayed.contains(trade.key()));
            if (what != null) {
                counts.merge(what, 1, Integer::sum);
            }
        }
        if (!counts.isEmpty()) {
            LOG.info("Recovered what the previous run left unfinished: {}", counts);
        }
    }

    /**
     * Fills of one target order are copied as one order (docs/aggregation.md); a previous run may have stopped with
     * such groups unfinished. Returns the trades to resolve, in admission order, each aggregate as its combined trade
     * (the first fill's identity, so the same client order id as before the restart) with its other fills claimed and
     * made to take its outcome:
     * <ul>
     *   <li>a fill linked to an aggregate whose first fill has ended takes that outcome now;</li>
     *   <li>a fill linked to an aggregate still in flight goes with it;</li>
     *   <li>a trade with an order (it was placed, or was being placed) is resolved with the fills linked to it, as its
     *       order was sized;</li>
     *   <li>the other fills of one aggregation key, none with an order (a window was open, or its aggregate was still
     *       waiting in the queue), become one aggregate led by the oldest: one order for them all.</li>
     * </ul>
     */
    private java.util.List<DetectedTrade> withAggregatesRebuilt(java.util.List<DetectedTrade> inFlight,
                                                                Map<String, Integer> counts) {
        Map<String, String> links = store.aggregateLinks();
        if (links.isEmpty() && inFlight.stream().allMatch(t -> t.sourceOrder() == null)) {
            return inFlight;
        }
        Map<String, Integer> position = new java.util.HashMap<>();
        for (DetectedTrade t : inFlight) {
            position.put(t.key(), position.size());
        }
        // each trade in flight with the trade in flight that leads its group (itself when it leads or is alone)
        Map<String, String> rootOf = new java.util.HashMap<>();
        Map<String, DetectedTrade> byKey = new java.util.HashMap<>();
        inFlight.forEach(t -> byKey.put(t.key(), t));
        java.util.function.Predicate<String> hasOrder = k -> store.order(byKey.get(k).clientOrderId()).isPresent();
        for (DetectedTrade t : inFlight) {
            rootOf.put(t.key(), root(t.key(), links, position, hasOrder));
        }
        Map<String, java.util.List<DetectedTrade>> followersOf = new java.util.HashMap<>();
        Set<String> settled = new java.util.HashSet<>();
        Map<String, TradeStore.Ended> settledWith = new java.util.HashMap<>();
        for (DetectedTrade t : inFlight) {
            String root = rootOf.get(t.key());
            if (!root.equals(t.key())) {
                followersOf.computeIfAbsent(root, k -> new java.util.ArrayList<>()).add(t);
                continue;
            }
            String leader = links.get(t.key());
            if (leader == null || position.containsKey(leader)) {
                continue; // it leads (in a cycle of links, the oldest does)
            }
            Optional<TradeStore.Ended> ended = store.ended(leader);
            if (ended.isPresent() && ledger.claim(t)) {
                settled.add(t.key());
                settledWith.put(t.key(), ended.get());
                if (ledger.finish(t, ended.get().outcome(), ended.get().reason(), "with aggregate " + leader
                        + ": its outcome, found at restart")) {
                    counts.merge("settled with their aggregate", 1, Integer::sum);
                }
            }
        }
        // the trades linked to one that took its ended aggregate's outcome take it too (links a previous version left
        // as a chain)
        settledWith.forEach((root, ended) -> {
            for (DetectedTrade f : followersOf.getOrDefault(root, java.util.List.of())) {
                if (ledger.claim(f)) {
                    settled.add(f.key());
                    if (ledger.finish(f, ended.outcome(), ended.reason(), "with aggregate " + links.get(root)
                            + ": its outcome, found at restart")) {
                        counts.merge("settled with their aggregate", 1, Integer::sum);
                    }
                }
            }
        });
        java.util.List<DetectedTrade> result = new java.util.ArrayList<>();
        Map<String, java.util.List<DetectedTrade>> open = new java.util.LinkedHashMap<>();
        for (DetectedTrade t : inFlight) {
            if (settled.contains(t.key()) || !rootOf.get(t.key()).equals(t.key())) {
                continue;
            }
            java.util.List<DetectedTrade> members = new java.util.ArrayList<>();
            members.add(t);
            members.addAll(followersOf.getOrDefault(t.key(), java.util.List.of()));
            if (t.sourceOrder() == null || store.order(t.clientOrderId()).isPresent()) {
                if (members.size() > 1) {
                    java.util.List<DetectedTrade> followers = members.subList(1, members.size());
                    if (links.get(t.key()) != null || followers.stream().anyMatch(f -> !t.key().equals(links.get(f.key())))) {
                        // links an earlier version left as a chain or a cycle: flattened onto this trade, whose order
                        // copies them all, so each takes its outcome
                        ledger.aggregate(t, followers);
                        followers.forEach(ledger::claim);
                    } else {
                        ledger.adoptAggregate(t.key());
                    }
                }
                result.add(FillAggregation.combine(members));
            } else {
                open.computeIfAbsent(FillAggregation.groupKey(t, TradeFilter.maxAhead(maxTradeAge)),
                        k -> new java.util.ArrayList<>()).addAll(members);
            }
        }
        for (java.util.List<DetectedTrade> members : open.values()) {
            members.sort(java.util.Comparator.comparing(m -> position.get(m.key())));
            java.util.List<DetectedTrade> followers = members.subList(1, members.size());
            if (!followers.isEmpty()) {
                ledger.aggregate(members.get(0), followers);
                followers.forEach(ledger::claim);
                counts.merge("fills aggregated again", members.size(), Integer::sum);
            }
            result.add(FillAggregation.combine(members));
        }
        result.sort(java.util.Comparator.comparing(t -> position.get(t.key())));
        return result;
    }

    /**
     * The trade in flight that leads {@code key}'s group: its links followed while they lead to trades in flight. A
     * store written before a new leader's own link was removed with its followers' (TradeStore#linkAggregate) may hold
     * a chain of links, or a cycle (two trades each linked to the other); in a cycle the member with an order leads
     * (its order, which may be at the venue, copies the group), else the oldest, so the group is resolved once instead
     * of each member waiting for another.
     */
    static String root(String key, Map<String, String> links, Map<String, Integer> position,
                       java.util.function.Predicate<String> hasOrder) {
        java.util.List<String> path = new java.util.ArrayList<>();
        String current = key;
        while (true) {
            path.add(current);
            String next = links.get(current);
            if (next == null || !position.containsKey(next)) {
                return current;
            }
            int seen = path.indexOf(next);
            if (seen >= 0) {
                return path.subList(seen, path.size()).stream()
                        .min(java.util.Comparator.comparing((String m) -> hasOrder.test(m) ? 0 : 1)
                                .thenComparing(position::get)).orElseThrow();
            }
            current = next;
        }
    }

    /**
     * Trades in flight that nothing in this process handles, once recovery is done: while the engine runs, only a
     * dead-letter replay makes those.
     */
    public void adoptReplays() {
        if (!recovered) {
            return;
        }
        try {
            adoptReplaysNow();
        } catch (StoreException e) {
            // a store that cannot be read: the next pass looks again (a WARN line every 10 s at most, no stack)
            replaysUnread.event(e.getMessage());
        }
    }

    private void adoptReplaysNow() {
        if (instanceId != null) {
            adoptShared();
            return;
        }
        for (DetectedTrade trade : store.replayedInFlight()) {
            String what = claimAndResolve(trade, true);
            if (what != null) {
                // counted FAILED by this engine (it failed while running, or was FAILED in the store at start): it is
                // in flight again, whatever its order says
                ledger.metrics().leftFailed();
                LOG.info("Replaying trade {} from the dead letters: {}", trade.key(), what);
            }
        }
    }

    /**
     * Claims a trade seen in flight and, if it is still unfinished, resolves it; null when someone else handles it
     * or it ended since it was listed. A handler records the outcome before it releases its claim, so a claim that
     * succeeds followed by a look at the store cannot miss an outcome.
     */
    private String claimAndResolve(DetectedTrade trade, boolean replayed) {
        if (!ledger.claim(trade)) {
            return null;
        }
        if (store.outcome(trade.key()).isPresent()) {
            ledger.release(trade);
            return null;
        }
        return resolve(trade, replayed);
    }

    /**
     * What a claimed, unfinished trade needs, decided by its order first: an order the venue accepted means
     * copied; an order that may have been sent is looked up; a trade with no order, or whose order failed and a
     * person replayed it, goes back on the queue if fresh or replayed, else expires.
     */
    private String resolve(DetectedTrade trade, boolean replayed) {
        Optional<OrderRecord> order = store.order(trade.clientOrderId());
        OrderRecordState state = order.map(OrderRecord::state).orElse(null);
        if (idKnownBeforeSending && order.isPresent() && order.get().venueOrderId() == null
                && (state == OrderRecordState.UNKNOWN || state == OrderRecordState.SUBMITTING)) {
            // intent written, no order id: stopped before anything was signed and sent
            store.updateOrder(trade.clientOrderId(), OrderRecordState.FAILED, null, null, null);
            state = null;
        }
        if (state != null && ACCEPTED.contains(state)) {
            ledger.finish(trade, TradeOutcome.COPIED, null, "order found " + state + " at restart");
            return "copied";
        }
        if (state == OrderRecordState.UNKNOWN || state == OrderRecordState.SUBMITTING) {
            return "looked up"; // claimed; the monitor resolves it by lookup
        }
        if (state != null && !replayed) {
            deadLetters.record(trade, Reason.UNEXPECTED_ERROR, "order " + state + " before the restart");
            return "failed";
        }
        Instant now = clock.instant();
        // a trade dated further ahead than the filter lets through, now or when it was read, got past no filter yet
        // (the filter skips it): not re-queued, however long the engine was stopped (a wrong time stays wrong)
        boolean ahead = TradeFilter.datedAhead(trade, now, TradeFilter.maxAhead(maxTradeAge));
        if (replayed || (!ahead && !trade.tsEvent().isBefore(now.minus(maxTradeAge)))) {
            if (replayed) {
                ledger.metrics().replayed();
            }
            requeue(trade);
            return "re-queued";
        }
        ledger.finish(trade, TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED, "still unfinished at restart, "
                + (ahead ? "dated " + TradeFilter.aheadMillis(trade, now) + " ms ahead of this engine's clock when read"
                : "older than " + maxTradeAge.toMillis() + " ms"));
        return "expired";
    }

    /**
     * With several engines on a Kafka queue, what no queue record will bring back, each claimed by one instance in
     * the store: trades a person replayed from the dead letters (re-queued, marked as replays), and trades an instance
     * admitted but died before queueing (no order, and older than the age limit plus a margin: EXPIRED). A trade
     * still waiting in Kafka past that age is harmless to expire here: when its record comes, it already has its
     * outcome and goes no further.
     */
    private void adoptShared() {
        Instant now = clock.instant();
        Instant orphanBefore = now.minus(maxTradeAge).minus(ORPHAN_MARGIN);
        List<DetectedTrade> candidates = new ArrayList<>(store.replayedInFlight());
        Set<String> replayed = candidates.stream().map(DetectedTrade::key).collect(Collectors.toSet());
        store.inFlightBefore(orphanBefore).stream().filter(t -> !replayed.contains(t.key())).forEach(candidates::add);
        Map<String, String> links = null;
        for (DetectedTrade trade : candidates) {
            boolean replay = replayed.contains(trade.key());
            boolean orphan = !replay && trade.tsEvent().isBefore(orphanBefore);
            if ((replay || orphan) && store.claimTrade(trade.key(), instanceId, now.plus(maxTradeAge).plus(ORPHAN_MARGIN))) {
                if (replay) {
                    ledger.metrics().leftFailed();
                    LOG.info("Replaying trade {} from the dead letters: {}", trade.key(), resolve(trade, true));
                } else if (store.order(trade.clientOrderId()).isEmpty()) {
                    if (links == null) {
                        links = store.aggregateLinks();
                    }
                    String leaderKey = links.get(trade.key());
                    if (leaderOrderIsOut(leaderKey)) {
                        // a fill of an aggregate: its leader's order carries it and gives it its outcome
                        continue;
                    }
                    Optional<TradeStore.Ended> leaderEnded = leaderKey == null ? Optional.empty() : store.ended(leaderKey);
                    if (leaderEnded.isPresent()) {
                        // a fill of an aggregate that ended without it (an instance stopped between the two writes):
                        // the aggregate's outcome is the fill's, as a restart of a single engine gives it
                        ledger.finish(trade, leaderEnded.get().outcome(), leaderEnded.get().reason(), "with aggregate "
                                + leaderKey + ": its outcome, found by the orphan sweep");
                        continue;
                    }
                    // unless a consumer that took it late has written its order meanwhile (the store decides)
                    ledger.finishIfNoOrder(trade, TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED,
                            "admitted but never queued (its instance stopped in between); too old to copy");
                }
            }
        }
    }

    /** Whether {@code leaderKey} names a trade still in flight whose order was written (so may be at the venue). */
    private boolean leaderOrderIsOut(String leaderKey) {
        if (leaderKey == null) {
            return false;
        }
        return store.trade(leaderKey).filter(leader -> store.outcome(leaderKey).isEmpty())
                .map(leader -> store.order(leader.clientOrderId()).isPresent()).orElse(false);
    }

    private void requeue(DetectedTrade trade) {
        if (instanceId != null) {
            producer.sendBodyAndHeader(requeueUri, trade, CopyQueue.REPLAY_HEADER, "true");
        } else {
            // marked so that it is copied on its own, never joined with fresh trades of its instrument (docs/ordering.md)
            producer.sendBodyAndHeader(requeueUri, trade, CopyQueue.REQUEUED_HEADER, "true");
        }
    }

    /**
     * The trades in flight that a person replayed: asked of the store, which reads only those (every dead letter a
     * long-running engine has, read at each start, cost a second of start-up at 50,000).
     */
    private Set<String> replayedTradeKeys() {
        return store.replayedInFlight().stream().map(DetectedTrade::key).collect(Collectors.toSet());
    }
}

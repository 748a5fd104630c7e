package io.copytrader.store;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;
import io.copytrader.domain.VenueOrderId;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link TradeStore} that forgets everything on exit: for tests and for `store.type=memory`. */
public final class InMemoryTradeStore implements TradeStore {

    private record TradeRow(DetectedTrade trade, long seq, TradeOutcome outcome, Reason reason) {
    }

    private final Clock clock;
    private final Map<TraderId, String> cursors = new ConcurrentHashMap<>();
    private final Map<String, TradeRow> trades = new ConcurrentHashMap<>();
    private final Map<ClientOrderId, OrderRecord> orders = new ConcurrentHashMap<>();
    private final Map<ClientOrderId, String> signedOrders = new ConcurrentHashMap<>();
    private final Map<Long, DeadLetter> deadLetters = new ConcurrentHashMap<>();
    /** The letters of trades not stored when they were written, by trade key: marked when the trade is admitted. */
    private final Map<String, java.util.Set<Long>> lettersByTrade = new ConcurrentHashMap<>();
    private final Map<String, String> sources = new ConcurrentHashMap<>();
    private final java.util.Set<String> reorged = ConcurrentHashMap.newKeySet();
    private final Map<String, String> aggregateOf = new ConcurrentHashMap<>();
    private final AtomicLong tradeSeq = new AtomicLong();
    private final AtomicLong letterSeq = new AtomicLong();

    public InMemoryTradeStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<String> cursor(TraderId trader) {
        return Optional.ofNullable(cursors.get(trader));
    }

    @Override
    public void saveCursor(TraderId trader, String cursor) {
        cursors.put(trader, cursor);
    }

    @Override
    public boolean admit(DetectedTrade trade) {
        if (trades.putIfAbsent(trade.key(), new TradeRow(trade, tradeSeq.incrementAndGet(), null, null)) != null) {
            return false;
        }
        // its letters written while it was in no table (a refused admission) are no failure of it
        java.util.Set<Long> before = lettersByTrade.remove(trade.key());
        if (before != null) {
            Instant now = clock.instant();
            for (Long id : before) {
                deadLetters.computeIfPresent(id, (k, d) -> d.admittedAt() != null ? d : new DeadLetter(d.id(),
                        d.createdAt(), d.reason(), d.detail(), d.trade(), d.replayedAt(), now));
            }
        }
        return true;
    }

    /** The check then the write, made atomic here: one admission with a source at a time. */
    @Override
    public synchronized boolean admit(DetectedTrade trade, String source) {
        if (source == null) {
            return admit(trade);
        }
        if (trade.sourceOrder() != null && otherSourceInGroup(trade, source)) {
            return false;
        }
        boolean admitted = admit(trade);
        if (admitted) {
            sources.put(trade.key(), source);
        }
        return admitted;
    }

    private boolean otherSourceInGroup(DetectedTrade trade, String source) {
        for (var e : sources.entrySet()) {
            TradeRow row = trades.get(e.getKey());
            if (row != null && !e.getValue().equals(source) && sameGroup(row.trade(), trade)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameGroup(DetectedTrade a, DetectedTrade b) {
        return a.sourceOrder() != null && a.sourceOrder().equals(b.sourceOrder()) && a.trader().equals(b.trader())
                && a.instrument().equals(b.instrument()) && a.side() == b.side();
    }

    @Override
    public boolean finish(String tradeKey, TradeOutcome outcome, Reason reason, String detail) {
        boolean[] changed = {false};
        trades.computeIfPresent(tradeKey, (k, row) -> {
            if (row.outcome() != null) {
                return row;
            }
            changed[0] = true;
            return new TradeRow(row.trade(), row.seq(), outcome, reason);
        });
        return changed[0];
    }

    @Override
    public boolean finishIfNoOrder(String tradeKey, ClientOrderId clientOrderId, TradeOutcome outcome, Reason reason,
                                   String detail) {
        boolean[] changed = {false};
        trades.computeIfPresent(tradeKey, (k, row) -> {
            if (row.outcome() != null || orders.containsKey(clientOrderId)) {
                return row;
            }
            changed[0] = true;
            return new TradeRow(row.trade(), row.seq(), outcome, reason);
        });
        return changed[0];
    }

    @Override
    public boolean correctToCopied(String tradeKey, String detail) {
        boolean[] changed = {false};
        trades.computeIfPresent(tradeKey, (k, row) -> {
            if (row.outcome() != TradeOutcome.SKIPPED && row.outcome() != TradeOutcome.DROPPED
                    && row.outcome() != TradeOutcome.EXPIRED) {
                return row;
            }
            changed[0] = true;
            return new TradeRow(row.trade(), row.seq(), TradeOutcome.COPIED, null);
        });
        return changed[0];
    }

    @Override
    public boolean reopen(String tradeKey) {
        boolean[] changed = {false};
        trades.computeIfPresent(tradeKey, (k, row) -> {
            if (row.outcome() != TradeOutcome.FAILED) {
                return row;
            }
            changed[0] = true;
            return new TradeRow(row.trade(), row.seq(), null, null);
        });
        if (changed[0]) {
            aggregateOf.remove(tradeKey); // a replay copies the trade on its own
        }
        return changed[0];
    }

    @Override
    public Optional<Ended> ended(String tradeKey) {
        TradeRow row = trades.get(tradeKey);
        return row == null || row.outcome() == null ? Optional.empty() : Optional.of(new Ended(row.outcome(), row.reason()));
    }

    @Override
    public synchronized void linkAggregate(String leaderKey, Collection<String> followerKeys) {
        if (followerKeys.isEmpty()) {
            return;
        }
        aggregateOf.remove(leaderKey);
        for (String key : followerKeys) {
            if (trades.containsKey(key)) {
                aggregateOf.put(key, leaderKey);
            }
        }
    }

    @Override
    public List<DetectedTrade> aggregateMembers(String leaderKey) {
        return trades.entrySet().stream()
                .filter(e -> e.getValue().outcome() == null && leaderKey.equals(aggregateOf.get(e.getKey())))
                .map(Map.Entry::getValue).sorted(Comparator.comparingLong(TradeRow::seq)).map(TradeRow::trade).toList();
    }

    @Override
    public Map<String, String> aggregateLinks() {
        Map<String, String> links = new java.util.HashMap<>();
        aggregateOf.forEach((key, leader) -> {
            TradeRow row = trades.get(key);
            if (row != null && row.outcome() == null) {
                links.put(key, leader);
            }
        });
        return links;
    }

    @Override
    public void recordSource(String tradeKey, String source) {
        if (trades.containsKey(tradeKey)) {
            sources.put(tradeKey, source);
        }
    }

    @Override
    public Optional<String> source(String tradeKey) {
        return Optional.ofNullable(sources.get(tradeKey));
    }

    @Override
    public void markReorged(String tradeKey) {
        if (trades.containsKey(tradeKey)) {
            reorged.add(tradeKey);
        }
    }

    @Override
    public boolean reorged(String tradeKey) {
        return reorged.contains(tradeKey);
    }

    @Override
    public Optional<DetectedTrade> trade(String tradeKey) {
        return Optional.ofNullable(trades.get(tradeKey)).map(TradeRow::trade);
    }

    @Override
    public Optional<TradeOutcome> outcome(String tradeKey) {
        return Optional.ofNullable(trades.get(tradeKey)).map(TradeRow::outcome);
    }

    @Override
    public List<DetectedTrade> inFlight() {
        return trades.values().stream().filter(r -> r.outcome() == null)
                .sorted(Comparator.comparingLong(TradeRow::seq)).map(TradeRow::trade).toList();
    }

    @Override
    public Map<TradeOutcome, Long> outcomeCounts() {
        Map<TradeOutcome, Long> counts = new EnumMap<>(TradeOutcome.class);
        for (TradeOutcome o : TradeOutcome.values()) {
            counts.put(o, 0L);
        }
        for (TradeRow row : trades.values()) {
            if (row.outcome() != null) {
                counts.merge(row.outcome(), 1L, Long::sum);
            }
        }
        return counts;
    }

    @Override
    public Map<TradeOutcome, Map<Reason, Long>> outcomeCountsByReason() {
        Map<TradeOutcome, Map<Reason, Long>> counts = new EnumMap<>(TradeOutcome.class);
        for (TradeRow row : trades.values()) {
            if (row.outcome() != null) {
                counts.computeIfAbsent(row.outcome(), o -> new java.util.HashMap<>()).merge(row.reason(), 1L, Long::sum);
            }
        }
        return counts;
    }

    @Override
    public long inFlightCount() {
        return trades.values().stream().filter(r -> r.outcome() == null).count();
    }

    @Override
    public long detectedCount() {
        return trades.size();
    }

    @Override
    public boolean recordIntent(String tradeKey, CopyIntent intent) {
        Instant now = clock.instant();
        OrderRecord order = new OrderRecord(intent.clientOrderId(), tradeKey, intent, OrderRecordState.SUBMITTING,
                null, BigDecimal.ZERO, null, now, now);
        boolean[] written = {false};
        // under the trade's entry, as finishIfNoOrder decides: the two exclude each other
        boolean known = trades.computeIfPresent(tradeKey, (k, row) -> {
            written[0] = row.outcome() == null && orders.putIfAbsent(order.clientOrderId(), order) == null;
            return row;
        }) != null;
        return known ? written[0] : orders.putIfAbsent(order.clientOrderId(), order) == null;
    }

    @Override
    public void updateOrder(ClientOrderId id, OrderRecordState state, VenueOrderId venueOrderId,
                            BigDecimal filledQuantity, BigDecimal avgFillPrice) {
        orders.computeIfPresent(id, (k, o) -> new OrderRecord(o.clientOrderId(), o.tradeKey(), o.intent(),
                state != null ? state : o.state(),
                venueOrderId != null ? venueOrderId : o.venueOrderId(),
                filledQuantity != null ? filledQuantity : o.filledQuantity(),
                avgFillPrice != null ? avgFillPrice : o.avgFillPrice(),
                o.createdAt(), clock.instant()));
    }

    @Override
    public boolean moveOrder(ClientOrderId id, OrderRecordState to, VenueOrderId venueOrderId,
                             BigDecimal filledQuantity, BigDecimal avgFillPrice) {
        boolean[] moved = {false};
        orders.computeIfPresent(id, (k, o) -> {
            if (!to.allowedFrom().contains(o.state())) {
                return o;
            }
            moved[0] = true;
            return new OrderRecord(o.clientOrderId(), o.tradeKey(), o.intent(), to,
                    venueOrderId != null ? venueOrderId : o.venueOrderId(),
                    filledQuantity != null ? filledQuantity : o.filledQuantity(),
                    avgFillPrice != null ? avgFillPrice : o.avgFillPrice(),
                    o.createdAt(), clock.instant());
        });
        return moved[0];
    }

    @Override
    public void recordSigned(ClientOrderId id, VenueOrderId venueOrderId, String signedOrder) {
        orders.computeIfPresent(id, (k, o) -> {
            signedOrders.put(id, signedOrder);
            return new OrderRecord(o.clientOrderId(), o.tradeKey(), o.intent(), o.state(), venueOrderId,
                    o.filledQuantity(), o.avgFillPrice(), o.createdAt(), clock.instant());
        });
    }

    @Override
    public Optional<String> signedOrder(ClientOrderId id) {
        return Optional.ofNullable(signedOrders.get(id));
    }

    @Override
    public Optional<OrderRecord> order(ClientOrderId id) {
        return Optional.ofNullable(orders.get(id));
    }

    @Override
    public List<OrderRecord> ordersIn(Collection<OrderRecordState> states) {
        return orders.values().stream().filter(o -> states.contains(o.state()))
                .sorted(Comparator.comparing(OrderRecord::createdAt)).toList();
    }

    @Override
    public long addDeadLetter(DetectedTrade trade, Reason reason, String detail) {
        long id = letterSeq.incrementAndGet();
        deadLetters.put(id, new DeadLetter(id, clock.instant(), reason, detail, trade, null, null));
        if (!trades.containsKey(trade.key())) {
            lettersByTrade.computeIfAbsent(trade.key(), k -> ConcurrentHashMap.newKeySet()).add(id);
        }
        return id;
    }

    @Override
    public List<DeadLetter> deadLetters() {
        List<DeadLetter> list = new ArrayList<>(deadLetters.values());
        list.sort(Comparator.comparingLong(DeadLetter::id).reversed());
        return list;
    }

    @Override
    public Optional<DeadLetter> deadLetter(long id) {
        return Optional.ofNullable(deadLetters.get(id));
    }

    @Override
    public boolean markReplayed(long id) {
        boolean[] changed = {false};
        deadLetters.computeIfPresent(id, (k, d) -> {
            if (!d.pending()) {
                return d;
            }
            changed[0] = true;
            return new DeadLetter(d.id(), d.createdAt(), d.reason(), d.detail(), d.trade(), clock.instant(),
                    d.admittedAt());
        });
        return changed[0];
    }

    @Override
    public void close() {
        // nothing to release
    }
}

package io.copytrader.polymarket;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TraderId;
import io.copytrader.engine.TradeDetector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * The engine's poll ticks of one target, as the detect-trades route runs them: each tick reads page after page while
 * {@link TradeDetector#readsOn(TradeDetector.Poll, int, boolean)} says so, commits each page's cursor, and records the
 * tick each fill was first admitted at (the engine's dedup is the set of fills admitted), the requests each tick sent,
 * and any fill admitted twice in one page or newer-before-older among the fills of one tick.
 */
final class FeedTicks {
    private final TradeDetector detector;
    private final TraderId target;
    private final IntSupplier requestsAnswered;
    private final Map<String, Integer> admittedAt = new HashMap<>();
    private final Map<String, Integer> indexedBefore = new HashMap<>();
    private final List<Integer> requestsPerTick = new ArrayList<>();
    private final Set<String> ids = new HashSet<>();
    private int tick;
    private int duplicatesAdmitted;
    private int outOfOrder;
    private Consumer<DetectedTrade> onAdmitted = trade -> { };

    FeedTicks(TradeDetector detector, TraderId target, IntSupplier requestsAnswered) {
        this.detector = detector;
        this.target = target;
        this.requestsAnswered = requestsAnswered;
    }

    /** Each fill admitted, handed on as the route hands an admitted trade to the filter. */
    FeedTicks admitting(Consumer<DetectedTrade> next) {
        this.onAdmitted = next;
        return this;
    }

    int tick() {
        return tick;
    }

    Map<String, Integer> admittedAt() {
        return admittedAt;
    }

    /** The dedup id of every fill read, new or read again. */
    Set<String> ids() {
        return ids;
    }

    /** Fills admitted twice in one page, or a newer one before an older one indexed for the same tick. */
    int anomalies() {
        return duplicatesAdmitted + outOfOrder;
    }

    /** Fills indexed now: the next tick is the first that may see them. */
    List<String> indexed(List<String> txs) {
        txs.forEach(tx -> indexedBefore.put(tx, tick + 1));
        return txs;
    }

    void run() {
        tick++;
        int before = requestsAnswered.getAsInt();
        int pages = 0;
        boolean admitted = false;
        TradeDetector.Poll page;
        do {
            page = pages == 0 ? detector.pollTrader(target.value()) : detector.pollNextPage(target);
            pages++;
            long newestAdmitted = Long.MIN_VALUE;
            for (DetectedTrade trade : page.trades()) {
                ids.add(trade.sourceTradeId().value());
                if (admittedAt.putIfAbsent(trade.sourceOrder(), tick) == null) {
                    admitted = true;
                    onAdmitted.accept(trade);
                    long ts = trade.tsEvent().getEpochSecond();
                    if (ts < newestAdmitted && indexedBefore.get(trade.sourceOrder()) == tick) {
                        outOfOrder++;
                    }
                    newestAdmitted = Math.max(newestAdmitted, ts);
                } else if (admittedAt.get(trade.sourceOrder()) == tick && pages == 1) {
                    duplicatesAdmitted++;
                }
            }
            detector.commit(page);
        } while (detector.readsOn(page, pages, admitted));
        requestsPerTick.add(requestsAnswered.getAsInt() - before);
    }

    void run(int count) {
        for (int i = 0; i < count; i++) {
            run();
        }
    }

    /** Ticks from the poll after the fill was indexed to the poll that admitted it (1: the next poll); -1 if never. */
    int ticksToDetect(String tx) {
        Integer at = admittedAt.get(tx);
        return at == null ? -1 : at - indexedBefore.get(tx) + 1;
    }

    IntSummaryStatistics detection(List<String> txs) {
        return txs.stream().mapToInt(this::ticksToDetect).summaryStatistics();
    }

    IntSummaryStatistics requests(int fromTick, int toTick) {
        return requestsPerTick.subList(fromTick - 1, toTick).stream().mapToInt(Integer::intValue).summaryStatistics();
    }
}

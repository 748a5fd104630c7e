package io.copytrader.paper;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** All target traders' feeds of one venue. Traders are created by config or by the admin API. Thread-safe. */
final class FeedBook {
    private final long seed;
    private final int retention;
    private final int instruments;
    private final FaultModel faults;
    private final Clock clock;
    private final Map<String, TraderFeed> traders = new ConcurrentHashMap<>();

    FeedBook(long seed, int retention, int instruments, FaultModel faults, Clock clock, Map<String, Double> initialRates) {
        this.seed = seed;
        this.retention = retention;
        this.instruments = instruments;
        this.faults = faults;
        this.clock = clock;
        new TreeMap<>(initialRates).forEach(this::setRate);
    }

    Optional<TraderFeed> trader(String trader) {
        return Optional.ofNullable(traders.get(trader));
    }

    /** Sets a trader's rate, creating the trader if new. */
    TraderFeed setRate(String trader, double tradesPerSecond) {
        TraderFeed feed = traders.computeIfAbsent(trader, this::newFeed);
        feed.setRate(tradesPerSecond);
        return feed;
    }

    /** Emits {@code count} fills now, creating the trader (paused) if new. */
    TraderFeed emit(String trader, int count) {
        if (count < 1 || count > TraderFeed.MAX_PER_TICK) {
            throw new IllegalArgumentException("count must be in [1, " + TraderFeed.MAX_PER_TICK + "], but was " + count);
        }
        TraderFeed feed = traders.computeIfAbsent(trader, this::newFeed);
        feed.emit(count);
        return feed;
    }

    /** Emits scripted fills now, in order (creating the trader, paused, if new); returns the trader's feed. */
    TraderFeed emitScripted(String trader, java.util.List<ScriptedFill> fills) {
        if (fills.isEmpty() || fills.size() > TraderFeed.MAX_PER_TICK) {
            throw new IllegalArgumentException("fills must hold 1 to " + TraderFeed.MAX_PER_TICK + " fills, but held " + fills.size());
        }
        TraderFeed feed = traders.computeIfAbsent(trader, this::newFeed);
        feed.emitScripted(fills);
        return feed;
    }

    /** Lets every trader emit what its rate owes since the last tick. */
    void tick() {
        traders.values().forEach(TraderFeed::tick);
    }

    /** Milliseconds until some trader owes its next fill, or Long.MAX_VALUE when every one is paused. */
    long millisToNextFill() {
        return traders.values().stream().mapToLong(TraderFeed::millisToNextFill).min().orElse(Long.MAX_VALUE);
    }

    long totalEmitted() {
        return traders.values().stream().mapToLong(TraderFeed::lastSeq).sum();
    }

    Map<String, VenueStats.TraderStats> stats() {
        Map<String, VenueStats.TraderStats> stats = new TreeMap<>();
        traders.forEach((id, feed) -> stats.put(id, new VenueStats.TraderStats(feed.rate(), feed.lastSeq())));
        return stats;
    }

    private TraderFeed newFeed(String trader) {
        return new TraderFeed(trader, seed, instruments, 0, retention, faults, clock);
    }
}

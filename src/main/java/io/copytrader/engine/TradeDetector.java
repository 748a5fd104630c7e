package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.TraderId;
import io.copytrader.store.TradeStore;
import io.copytrader.venue.FeedAdapter;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.TransientVenueException;
import io.copytrader.venue.VenueHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads each target trader's feed from its stored cursor. Malformed rows are counted, logged with their reason and
 * go no further; the cursor moves on only after the page's trades were admitted and queued ({@link #commit}), so a
 * crash re-reads the page and dedup absorbs the overlap. A page after which the feed has more is followed by the
 * next in the same tick ({@link #pollNextPage}, {@link #readsOn}), so a burst larger than a page is not read one page
 * per poll interval.
 */
public final class TradeDetector {
    private static final Logger LOG = LoggerFactory.getLogger(TradeDetector.class);

    /**
     * A page read for one trader: its trades, and the cursor to store once they are handled. An ignored tick (one for
     * a trader this instance does not follow) has no trader, no trades and no cursor.
     *
     * @param hasMore the feed said it has more rows after this page and the page moved the cursor: once the page went
     *                through, the tick may read the next one at once ({@link #readsOn}); false for a page that failed
     * @param continuesPoll with {@code hasMore}: the next page belongs to the same poll of the feed
     *                ({@link FeedPage#continuesPoll}), read in this tick even when the tick admitted nothing new yet
     */
    public record Poll(TraderId trader, List<DetectedTrade> trades, String nextCursor, boolean hasMore,
                       boolean continuesPoll) {
        /** A page after which the feed has nothing more now. */
        public Poll(TraderId trader, List<DetectedTrade> trades, String nextCursor) {
            this(trader, trades, nextCursor, false, false);
        }

        /** A page after which the tick reads on only while it admits new trades. */
        public Poll(TraderId trader, List<DetectedTrade> trades, String nextCursor, boolean hasMore) {
            this(trader, trades, nextCursor, hasMore, false);
        }
    }

    private final List<TraderId> traders;
    private final List<String> traderNames;
    private final Set<String> traderNameSet;
    private final FeedAdapter feed;
    private final VenueHttpClient http;
    private final TradeStore store;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final Map<String, Long> lastPoll = new ConcurrentHashMap<>();
    private volatile long minTickNanos;
    private volatile int maxPagesPerPoll = 1;
    private final TargetPositions targetPositions;
    private final Set<TraderId> seeded = ConcurrentHashMap.newKeySet();
    /**
     * One WARN line at most every 10 s however many rows are malformed, with the count since the last line (each row
     * is counted in the metrics and logged at DEBUG).
     */
    private final AggregatedWarn malformedRows = new AggregatedWarn(LOG, "Rejected malformed feed rows", 10_000);
    private final AggregatedWarn unknownTicks = new AggregatedWarn(LOG, "Ignored poll ticks for traders that are not"
            + " among this instance's targets (every instance of a group must follow the same TARGET_TRADERS)", 10_000);
    private volatile String owner;
    private volatile Duration ownerLease;
    /**
     * Each trader's cursor as this instance last read or stored it, while it polls alone ({@link #ownedAs} not
     * set): nothing else writes a feed cursor then, so a poll and its commit need not read it from the store again.
     */
    private final Map<TraderId, Optional<String>> cursors = new ConcurrentHashMap<>();

    public TradeDetector(List<TraderId> traders, FeedAdapter feed, VenueHttpClient http, TradeStore store,
                         PipelineMetrics metrics, Clock clock) {
        this(traders, feed, http, store, metrics, clock, null);
    }

    /** @param targetPositions seeded from the venue's view of each target's positions before its first poll; may be null */
    private volatile io.github.resilience4j.ratelimiter.RateLimiter pageBudget;
    /** Until when (System.nanoTime) no feed request is sent: the feed answered 429, too many requests. */
    private volatile long pausedUntilNanos = System.nanoTime();
    /** The wait after a 429 without a Retry-After, and the longest wait a Retry-After may ask for. */
    static final Duration TOO_MANY_REQUESTS_WAIT = Duration.ofSeconds(1);
    static final Duration LONGEST_RETRY_AFTER = Duration.ofSeconds(60);
    private final AggregatedWarn deferredPolls = new AggregatedWarn(LOG,
            "Feed polls put off to the next tick: the feed's request budget (its venue's rate limit) was spent", 10_000);

    public TradeDetector(List<TraderId> traders, FeedAdapter feed, VenueHttpClient http, TradeStore store,
                         PipelineMetrics metrics, Clock clock, TargetPositions targetPositions) {
        this.targetPositions = targetPositions;
        this.traders = List.copyOf(traders);
        this.traderNames = this.traders.stream().map(TraderId::value).toList();
        this.traderNameSet = Set.copyOf(traderNames);
        this.feed = feed;
        this.http = http;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
    }

    public List<TraderId> traders() {
        return traders;
    }

    /** The target traders' names, one poll tick each (tick-traders splits on them). */
    public List<String> traderNames() {
        return traderNames;
    }

    /**
     * The detect-trades route's entry: one poll tick for a trader, by name. Ticks that come sooner than half the
     * poll interval after this instance last polled that trader are coalesced (with several engines, every instance
     * sends a tick per trader per interval, and the one that owns the trader's partition gets them all).
     */
    public Poll pollTrader(String trader) {
        if (trader == null || !traderNameSet.contains(trader)) {
            // a tick from the shared tick topic that names no target of ours (another instance's configuration, or a
            // record that is not one of ours): copying that trader is not what this instance was set up to do
            unknownTicks.event(trader == null ? "no trader" : "'" + printable(trader) + "'");
            return new Poll(null, List.of(), null);
        }
        TraderId id = new TraderId(trader);
        long now = System.nanoTime();
        Long last = lastPoll.get(trader);
        if (minTickNanos > 0 && last != null && now - last < minTickNanos) {
            return new Poll(id, List.of(), null);
        }
        lastPoll.put(trader, now);
        if (!claimed(id)) {
            LOG.debug("Trader {} is still being polled by another instance; skipping this tick", trader);
            return new Poll(id, List.of(), null);
        }
        return poll(id);
    }

    /**
     * The next page of a trader in the same tick, after a page that said the feed has more and went through (its
     * cursor stored, {@link #readsOn}): not coalesced as a tick is, and, with several instances, only while this one
     * still holds the trader's claim (renewed, as at every poll).
     */
    public Poll pollNextPage(TraderId trader) {
        if (trader == null || !traderNameSet.contains(trader.value())) {
            return new Poll(trader, List.of(), null);
        }
        if (!claimed(trader)) {
            LOG.debug("Trader {} is now polled by another instance; reading no further page", trader);
            return new Poll(trader, List.of(), null);
        }
        return poll(trader);
    }

    /**
     * Whether the tick reads the trader's next page at once after {@code page}, the {@code pagesRead}-th page of the
     * tick, went through: when the feed said it has more and the page moved the cursor, up to
     * {@link #readingAtMostPagesPerPoll} pages a tick.
     */
    public boolean readsOn(Poll page, int pagesRead) {
        return page.hasMore() && pagesRead < maxPagesPerPoll;
    }

    /**
     * The detect-trades route's rule: the tick reads the trader's next page at once when {@link #readsOn} and either the
     * tick admitted a trade not seen before ({@code admittedThisTick}, TradeAdmissions) or the page said the poll
     * goes on ({@link Poll#continuesPoll}: a venue's re-read window, then its new rows). Other pages of trades all
     * admitted already are read at the next tick, not one after the other.
     */
    public boolean readsOn(Poll page, int pagesRead, boolean admittedThisTick) {
        return readsOn(page, pagesRead) && (admittedThisTick || page.continuesPoll());
    }

    /** With several instances, (re)takes this instance's claim on the trader; true when polling alone. */
    private boolean claimed(TraderId trader) {
        return owner == null || store.claim("detect:" + trader.value(), owner, clock.instant().plus(ownerLease));
    }

    /**
     * With several engines: polls a trader only while this instance holds the trader's claim in the store (renewed at
     * each poll, {@code lease} long), so when the trader's tick partition moves, the new owner starts once the old
     * one has stopped polling (its lease ran out), and pages are never read by two instances at once: the queue
     * keeps each trader's trades in their order.
     */
    public TradeDetector ownedAs(String owner, Duration lease) {
        this.owner = owner;
        this.ownerLease = lease;
        return this;
    }

    /**
     * Read at most this many pages of a trader a tick (FEED_MAX_PAGES_PER_POLL; 1, the default here: one page a tick):
     * a burst larger than a page is read in one tick, not one page per poll interval.
     */
    public TradeDetector readingAtMostPagesPerPoll(int pages) {
        if (pages < 1) {
            throw new IllegalArgumentException("pages per poll must be at least 1, but was " + pages);
        }
        this.maxPagesPerPoll = pages;
        return this;
    }

    /**
     * At most {@code permits} page requests every {@code period}, for every target together (the venue's rate limit,
     * {@link FeedAdapter#pageRequestsPerSecond}); 0 permits: no limit. A poll past it sends nothing and waits for the
     * trader's next tick, its cursor where it was (a burst's further pages too): counted in
     * {@code copytrader.feed.polls.deferred}, and a WARN at most every 10 s.
     */
    public TradeDetector withinPageRequests(int permits, Duration period) {
        this.pageBudget = permits <= 0 ? null : io.github.resilience4j.ratelimiter.RateLimiter.of("feed-pages",
                io.github.resilience4j.ratelimiter.RateLimiterConfig.custom().limitForPeriod(permits)
                        .limitRefreshPeriod(period).timeoutDuration(Duration.ZERO).build());
        return this;
    }

    /** Coalesce ticks closer together than this (0: every tick polls). */
    public TradeDetector coalescingTicksWithin(Duration interval) {
        this.minTickNanos = interval.toNanos();
        return this;
    }

    /** Reads the next page for a trader; on a feed failure logs WARN and returns an empty poll (next tick retries). */
    public Poll poll(TraderId trader) {
        if (targetPositions != null && seeded.add(trader)) {
            seedPositions(trader);
        }
        String cursor = cursor(trader).orElse(null);
        io.github.resilience4j.ratelimiter.RateLimiter budget = pageBudget;
        if (System.nanoTime() - pausedUntilNanos < 0 || (budget != null && !budget.acquirePermission())) {
            metrics.feedPollDeferred();
            deferredPolls.event(trader.value());
            return new Poll(trader, List.of(), cursor);
        }
        FeedPage page;
        try {
            HttpReply reply = http.execute(feed.fetchPage(trader, cursor));
            page = feed.onPage(trader, cursor, reply, clock.instant());
        } catch (IOException | TransientVenueException e) {
            if (e instanceof TransientVenueException t && t.status() == 429) {
                pauseAfterTooManyRequests(t);
            }
            metrics.feedPollFailed(trader.value(), e.getClass().getSimpleName());
            LOG.warn("Feed of {} unavailable, retrying next poll: {}", trader, e.getMessage());
            return new Poll(trader, List.of(), cursor);
        } catch (IllegalArgumentException e) {
            metrics.feedPollFailed(trader.value(), "unreadable page");
            LOG.error("Feed page of {} after cursor {} is unreadable, retrying next poll: {}", trader, cursor, e.getMessage());
            return new Poll(trader, List.of(), cursor);
        }
        metrics.feedPollSucceeded(trader.value());
        List<DetectedTrade> trades = new ArrayList<>(page.rows().size());
        for (FeedRow row : page.rows()) {
            if (row instanceof FeedRow.Trade t) {
                trades.add(t.trade());
            } else if (row instanceof FeedRow.Malformed m) {
                metrics.rowRejected(m.reason());
                malformedRows.event(m.rowKey() + " of " + trader + ": " + m.detail());
            }
        }
        malformedRows.flush(); // the rows rejected since the last line, once its 10 s have passed
        // more to read now only when the page moved the cursor: the same cursor would read the same page again
        boolean more = page.hasMore() && page.nextCursor() != null && !page.nextCursor().equals(cursor);
        return new Poll(trader, trades, page.nextCursor(), more, more && page.continuesPoll());
    }

    /**
     * The feed answered 429 (too many requests; its limit is per client address, for every target together): no
     * target's feed is asked again before its Retry-After (1 s without one, 60 s at most); the polls meanwhile are put
     * off as past the budget. Asking on at every tick would only prolong the refusal.
     */
    private void pauseAfterTooManyRequests(TransientVenueException refused) {
        Duration wait = refused.retryAfter() == null || refused.retryAfter().isNegative() ? TOO_MANY_REQUESTS_WAIT
                : refused.retryAfter().compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : refused.retryAfter();
        long until = System.nanoTime() + wait.toNanos();
        if (until - pausedUntilNanos > 0) {
            pausedUntilNanos = until;
        }
        LOG.warn("Feed answered 429 (too many requests): no feed request for {} ms", wait.toMillis());
    }

    /** How long no feed request is sent still (after a 429); zero when requests go out. */
    Duration feedPause() {
        long left = pausedUntilNanos - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** At most 40 characters of a name read from the tick topic, anything but printable ASCII as '?': for a log line. */
    private static String printable(String name) {
        String head = name.length() <= 40 ? name : name.substring(0, 40);
        return head.replaceAll("[^\\x20-\\x7E]", "?") + (head.length() < name.length() ? "..." : "");
    }

    /** Once per target, before its first poll: its positions as the venue shows them, when the venue can. */
    private void seedPositions(TraderId trader) {
        var call = feed.fetchPositions(trader);
        if (call.isEmpty()) {
            return;
        }
        Instant asOf = clock.instant();
        try {
            HttpReply reply = http.execute(call.get());
            Map<InstrumentId, BigDecimal> positions = new HashMap<>(feed.onPositions(trader, reply));
            // every page: a position missing from the seed would size the target's sells of it against too little
            int pages = 1;
            for (var next = feed.nextPositionsPage(trader, reply, pages); next.isPresent();
                 next = feed.nextPositionsPage(trader, reply, pages)) {
                HttpReply page = http.execute(next.get());
                if (page.body().equals(reply.body())) {
                    break; // the venue answered the same page again: it does not page them
                }
                feed.onPositions(trader, page).forEach(positions::putIfAbsent);
                reply = page;
                pages++;
            }
            targetPositions.seed(trader, positions, asOf);
            LOG.info("Target {}: {} position(s) read from the venue for proportional sells", trader, positions.size());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not read the positions of target {} ({}); its position is learnt from its trades from now on",
                    trader, e.toString());
        }
    }

    /**
     * The trader's stored cursor. With several instances the store is read every time: the trader's partition moves
     * between instances, and the one that polls it now may have stored a cursor since this one last did.
     */
    private Optional<String> cursor(TraderId trader) {
        if (owner != null) {
            return store.cursor(trader);
        }
        return cursors.computeIfAbsent(trader, store::cursor);
    }

    /** Stores the cursor after the page's trades went through admission, filter and queue. */
    public void commit(Poll poll) {
        if (poll.nextCursor() != null && !poll.nextCursor().equals(cursor(poll.trader()).orElse(null))) {
            store.saveCursor(poll.trader(), poll.nextCursor());
            if (owner == null) {
                cursors.put(poll.trader(), Optional.of(poll.nextCursor())); // only once stored
            }
        }
    }
}

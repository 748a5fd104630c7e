package io.copytrader.venue;

import java.time.Duration;
import java.time.Instant;

/**
 * How far ahead of this engine's clock a fill may be dated. A fill's time is its block's timestamp, stamped by the
 * block's producer with its own clock, and read here after the fact: with clocks kept by NTP it is never more than
 * a second or two ahead of ours. One dated much further ahead is a venue bug, a corrupted row or a broken proxy,
 * and a feed that took it as its newest second would read on from there, past every real fill dated before it.
 *
 * <ul>
 *   <li>{@link #ROW_TOLERANCE} (30 s, fifteen Polygon blocks of about 2 s): a feed row dated further ahead moves no
 *       cursor. If it reads as a fill it is a trade all the same, admitted at once (so dedup absorbs every later
 *       reading of it, across restarts, and it is counted and logged once); otherwise it is malformed
 *       ({@code FEED_MALFORMED_ROW}). A row dated ahead within this tolerance moves the head, but the re-read window
 *       never starts past this clock (the window is {@code overlap} behind the earlier of the two), so it cannot pass
 *       over real fills whatever the overlap setting.</li>
 *   <li>{@link #TRADE_TOLERANCE} (10 s): the filter skips a trade dated further ahead
 *       ({@code FILTER_DATED_AHEAD}: its age cannot be judged), judged against this clock when the trade was read
 *       ({@code tsInit}, stored with it) as well as now: a time read wrong stays wrong however long the engine waits
 *       (a 429's wait, a stall, a restart), so such a trade is never copied; recovery does not re-queue it either, and
 *       it joins no other fill's copy.</li>
 * </ul>
 * Constants, not settings: the second is the filter's bound, well below the first, the feeds' bound for moving a
 * cursor.
 */
public final class FeedClock {
    public static final Duration ROW_TOLERANCE = Duration.ofSeconds(30);
    public static final Duration TRADE_TOLERANCE = Duration.ofSeconds(10);

    private FeedClock() {
    }

    /** True when a row of this epoch second is dated more than {@link #ROW_TOLERANCE} ahead of {@code now}. */
    public static boolean tooFarAhead(long epochSecond, Instant now) {
        return epochSecond > now.getEpochSecond() + ROW_TOLERANCE.toSeconds();
    }

    /** The malformed row's detail: how far ahead, in whole seconds. */
    public static String aheadDetail(long epochSecond, Instant now) {
        return "timestamp " + epochSecond + " is " + (epochSecond - now.getEpochSecond()) + " s ahead of this engine's"
                + " clock (more than " + ROW_TOLERANCE.toSeconds() + " s): not a fill's time";
    }
}

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
 *   <li>{@link #ROW_TOLERANCE} (30 s, fifteen Polygon blocks of about 2 s): a feed row dated further ahead is
 *       malformed ({@code FEED_MALFORMED_ROW}) and moves no cursor. It leaves room for a machine clock well off (the
 *       CLOB's own check is corrected from 2 s, {@code ClobTime}), and is half the Polymarket feed's default overlap,
 *       so a row dated just inside it still leaves the window reaching 30 s behind this clock for rows indexed
 *       late.</li>
 *   <li>{@link #TRADE_TOLERANCE} (10 s): the staleness filter skips a trade dated further ahead (its age cannot be
 *       judged). It is below the row tolerance by 20 s on purpose: a row rejected as too far ahead is read again
 *       at each poll (it moved no cursor) and is taken once it comes within the row tolerance, still more than
 *       {@code TRADE_TOLERANCE} ahead, so it is skipped and recorded, then absorbed by dedup: a row the feed
 *       rejected is never copied, however long after.</li>
 * </ul>
 * Constants, not settings: the second must stay well below the first, whatever the first is.
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

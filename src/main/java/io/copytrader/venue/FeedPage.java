package io.copytrader.venue;

import java.util.List;

/**
 * A page of one trader's fills after a cursor, oldest first.
 *
 * @param nextCursor the cursor to ask with next time (unchanged when the page was empty); opaque to the engine
 * @param hasMore    true when the venue has (or, for a venue that tells no count, may have: a full page) more rows
 *                   right now: the engine reads the next page at once, in the same poll, when this page moved the
 *                   cursor and went through (FEED_MAX_PAGES_PER_POLL pages a poll at most)
 * @param continuesPoll with {@code hasMore}: the next page belongs to the same poll, which is not complete without it
 *                   (a venue read again over a window for rows it indexes late, then read on for new rows): the engine
 *                   reads it in the same tick even when this page had no new trade. Without it, a page of trades all
 *                   admitted before ends the tick's reading
 */
public record FeedPage(List<FeedRow> rows, String nextCursor, boolean hasMore, boolean continuesPoll) {
    public FeedPage {
        rows = List.copyOf(rows);
    }

    /** A page after which the engine reads on at once only while the tick admits new trades. */
    public FeedPage(List<FeedRow> rows, String nextCursor, boolean hasMore) {
        this(rows, nextCursor, hasMore, false);
    }
}

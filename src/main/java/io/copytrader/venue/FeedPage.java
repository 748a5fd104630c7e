package io.copytrader.venue;

import java.util.List;

/**
 * A page of one trader's fills after a cursor, oldest first.
 *
 * @param nextCursor the cursor to ask with next time (unchanged when the page was empty); opaque to the engine
 * @param hasMore    true when the venue has (or, for a venue that tells no count, may have: a full page) more rows
 *                   right now: the engine reads the next page at once, in the same poll, when this page moved the
 *                   cursor and went through (FEED_MAX_PAGES_PER_POLL pages a poll at most)
 */
public record FeedPage(List<FeedRow> rows, String nextCursor, boolean hasMore) {
    public FeedPage {
        rows = List.copyOf(rows);
    }
}

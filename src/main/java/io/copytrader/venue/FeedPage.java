package io.copytrader.venue;

import java.util.List;

/**
 * A page of one trader's fills after a cursor, oldest first.
 *
 * @param nextCursor the cursor to ask with next time (unchanged when the page was empty); opaque to the engine
 * @param hasMore    true when the venue has more rows right now: poll again without waiting
 */
public record FeedPage(List<FeedRow> rows, String nextCursor, boolean hasMore) {
    public FeedPage {
        rows = List.copyOf(rows);
    }
}

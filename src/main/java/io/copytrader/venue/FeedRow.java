package io.copytrader.venue;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;

/** One row of a feed page: a trade we can copy, or a row we reject with a reason. */
public sealed interface FeedRow {
    record Trade(DetectedTrade trade) implements FeedRow {
    }

    /**
     * @param rowKey a best-effort identification of the row (its id if readable, else its position)
     * @param detail what was wrong, for the log: "price 1.5 is outside (0,1)"
     */
    record Malformed(String rowKey, Reason reason, String detail) implements FeedRow {
    }
}

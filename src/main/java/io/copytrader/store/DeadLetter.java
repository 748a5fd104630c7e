package io.copytrader.store;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;

import java.time.Instant;

/**
 * A trade that failed after retries, was short-circuited by the open breaker, or hit an unexpected error; kept
 * with its reason and the original trade so a person can list and replay it.
 *
 * @param replayedAt null until replayed
 * @param admittedAt null unless the letter was written while its trade was in no table (a feed trade the store refused
 *                   to admit) and a later poll admitted the trade after all: when that admission was written. Such a
 *                   letter is not a failure of the trade, which went through the pipeline from its admission: it no
 *                   longer waits for a person, and a replay of it has nothing to do
 */
public record DeadLetter(long id, Instant createdAt, Reason reason, String detail, DetectedTrade trade,
                         Instant replayedAt, Instant admittedAt) {

    /** Waits for a person: neither replayed, nor made moot by its trade's admission. */
    public boolean pending() {
        return replayedAt == null && admittedAt == null;
    }
}

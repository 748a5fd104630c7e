package io.copytrader.store;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;

import java.time.Instant;

/**
 * A trade that failed after retries, was short-circuited by the open breaker, or hit an unexpected error; kept
 * with its reason and the original trade so a person can list and replay it.
 *
 * @param replayedAt null until replayed
 */
public record DeadLetter(long id, Instant createdAt, Reason reason, String detail, DetectedTrade trade,
                         Instant replayedAt) {
}

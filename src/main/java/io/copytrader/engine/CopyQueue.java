package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The first and last steps of copy-trade, which matter only when the copy queue is a Kafka topic shared by several
 * engines ({@code KAFKA_BROKERS}); on the in-process SEDA queue both do nothing.
 *
 * <ul>
 *   <li>{@link #take}: a record Kafka delivers again (the instance that had it died before committing its offset,
 *       or the partition moved) whose trade already has an outcome goes no further; Kafka never drops, so instead
 *       of dropping the oldest when full, a trade that waited past {@code MAX_TRADE_AGE_MS} is recorded
 *       DROPPED(QUEUE_STALE) (a replay from the dead letters, marked {@link #REPLAY_HEADER}, is exempt).</li>
 *   <li>{@link #done}: commits the record's offset, after everything the route wrote (outcome, outbox) is
 *       committed to the store: a crash before it delivers the record again, and the store's keys absorb that.</li>
 * </ul>
 */
public final class CopyQueue {
    /** Marks a trade re-queued by a person's replay (exempt from the age limit). */
    public static final String REPLAY_HEADER = "copytrader-replay";
    private static final Logger LOG = LoggerFactory.getLogger(CopyQueue.class);

    private final boolean shared;
    private final TradeLedger ledger;
    private final Duration maxTradeAge;
    private final Clock clock;

    public CopyQueue(boolean shared, TradeLedger ledger, Duration maxTradeAge, Clock clock) {
        this.shared = shared;
        this.ledger = ledger;
        this.maxTradeAge = maxTradeAge;
        this.clock = clock;
    }

    /** True when the queue is a Kafka topic several engines share. */
    public boolean shared() {
        return shared;
    }

    public void take(Exchange exchange) {
        if (!shared) {
            return;
        }
        ledger.metrics().queued();
        DetectedTrade trade = exchange.getMessage().getBody(DetectedTrade.class);
        if (ledger.store().outcome(trade.key()).isPresent()) {
            LOG.debug("Trade {} delivered again, already has an outcome; skipping", trade.key());
            stop(exchange);
            return;
        }
        Instant now = clock.instant();
        boolean replay = exchange.getMessage().getHeader(REPLAY_HEADER) != null;
        if (!replay && trade.tsEvent().plus(maxTradeAge).isBefore(now)) {
            ledger.finish(trade, TradeOutcome.DROPPED, Reason.QUEUE_STALE, "waited in the queue until "
                    + Duration.between(trade.tsEvent(), now).toMillis() + " ms after the fill");
            stop(exchange);
        }
    }

    /**
     * Commits the record's offset. A commit refused because the partition moved to another instance meanwhile (a
     * rebalance) is not a failure of the trade, whose outcome is stored: the new owner gets the record again and
     * skips it.
     */
    public void done(Exchange exchange) {
        KafkaManualCommit commit = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit == null) {
            return;
        }
        try {
            commit.commit();
        } catch (KafkaException e) {
            LOG.info("Offset of {} not committed ({}); its next owner skips it", exchange.getMessage()
                    .getBody(DetectedTrade.class).key(), e.getMessage());
        }
    }

    private void stop(Exchange exchange) {
        done(exchange);
        exchange.setRouteStop(true);
    }
}

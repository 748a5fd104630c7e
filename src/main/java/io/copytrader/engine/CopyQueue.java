package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The first and last steps of copy-trade, which matter only when the copy queue is a Kafka topic shared by several
 * engines ({@code KAFKA_BROKERS}); on the in-process SEDA queue both do nothing.
 *
 * <ul>
 *   <li>{@link #take}: a record Kafka delivers again (the instance that had it died before committing its offset,
 *       or the partition moved) whose trade already has an outcome goes no further, nor does one whose order may
 *       be at the venue already: an accepted order makes the trade COPIED, one that may have been sent is left to
 *       the monitor (which looks it up). Sizing it again could skip it (a sell of what that order already sold)
 *       while the venue holds its order. Kafka never drops, so instead of dropping the oldest when full, a trade
 *       that waited past {@code MAX_TRADE_AGE_MS} is recorded DROPPED(QUEUE_STALE) (a replay from the dead letters,
 *       marked {@link #REPLAY_HEADER}, is exempt).</li>
 *   <li>{@link #done}: commits the record's offset, after everything the route wrote (outcome, outbox) is
 *       committed to the store: a crash before it delivers the record again, and the store's keys absorb that.</li>
 * </ul>
 */
public final class CopyQueue {
    /** Marks a trade re-queued by a person's replay (exempt from the age limit). */
    public static final String REPLAY_HEADER = "copytrader-replay";
    /** Marks a trade a restart or a replay put back on the in-process queue: it is never joined with others. */
    public static final String REQUEUED_HEADER = "copytrader-requeued";
    /** Exchange property: the exchanges of the trades that joined the taken one in the keyed queue (List of Exchange). */
    public static final String JOINED = "copytraderJoined";
    private static final Logger LOG = LoggerFactory.getLogger(CopyQueue.class);

    private static final Set<OrderRecordState> ACCEPTED = EnumSet.of(OrderRecordState.OPEN,
            OrderRecordState.PARTIALLY_FILLED, OrderRecordState.FILLED, OrderRecordState.CANCELED);

    private final boolean shared;
    private final boolean idKnownBeforeSending;
    private final TradeLedger ledger;
    private final Duration maxTradeAge;
    private final Clock clock;

    public CopyQueue(boolean shared, TradeLedger ledger, Duration maxTradeAge, Clock clock) {
        this(shared, false, ledger, maxTradeAge, clock);
    }

    /**
     * @param idKnownBeforeSending the venue's order id is persisted before an order is sent (Polymarket's hash): an
     *                             order left without one was never sent, and its trade goes on as one with no order
     */
    public CopyQueue(boolean shared, boolean idKnownBeforeSending, TradeLedger ledger, Duration maxTradeAge,
                     Clock clock) {
        this.shared = shared;
        this.idKnownBeforeSending = idKnownBeforeSending;
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
            join(exchange);
            return;
        }
        ledger.metrics().queued();
        DetectedTrade trade = exchange.getMessage().getBody(DetectedTrade.class);
        if (ledger.store().outcome(trade.key()).isPresent()) {
            LOG.debug("Trade {} delivered again, already has an outcome; skipping", trade.key());
            stop(exchange);
            return;
        }
        boolean replay = exchange.getMessage().getHeader(REPLAY_HEADER) != null;
        if (!replay && followsEarlierOrder(trade)) {
            stop(exchange);
            return;
        }
        Instant now = clock.instant();
        if (!replay && trade.tsEvent().isBefore(now.minus(maxTradeAge))) {
            ledger.finish(trade, TradeOutcome.DROPPED, Reason.QUEUE_STALE, "waited in the queue until "
                    + TradeFilter.millis(trade.tsEvent(), now) + " ms after the fill");
            stop(exchange);
        }
    }

    /**
     * Trades of the taken trade's target, instrument and side that waited right behind it in the keyed queue joined
     * it there ({@link DropOldestQueueFactory}): they become one trade, the taken one's identity (so its client order
     * id) with the summed quantity and notional at the volume-weighted price, and take its outcome (linked in the store
     * now, before the order's intent is written, so a restart finds them with it). Their exchanges' completions move
     * to this one, to run when it is done.
     */
    private void join(Exchange exchange) {
        @SuppressWarnings("unchecked")
        java.util.List<Exchange> joined = exchange.getProperty(JOINED, java.util.List.class);
        if (joined == null) {
            return;
        }
        exchange.removeProperty(JOINED);
        java.util.List<DetectedTrade> trades = new java.util.ArrayList<>(joined.size() + 1);
        DetectedTrade taken = exchange.getMessage().getBody(DetectedTrade.class);
        if (!ledger.isRetracted(taken.key())) {
            trades.add(taken);
        }
        for (Exchange other : joined) {
            other.getExchangeExtension().handoverCompletions(exchange);
            DetectedTrade trade = other.getMessage().getBody(DetectedTrade.class);
            // a chain reorg removed its fill while it waited (it ended SKIPPED then): its quantity is not copied
            if (!ledger.isRetracted(trade.key())) {
                trades.add(trade);
            }
        }
        if (trades.size() < 2) {
            if (trades.size() == 1 && trades.get(0) != taken) {
                exchange.getMessage().setBody(trades.get(0)); // the taken one was retracted: the one left goes on
            }
            return;
        }
        // the first trade left leads: its identity, so its client order id (the taken one unless it was retracted)
        DetectedTrade first = trades.get(0);
        java.util.List<DetectedTrade> followers = trades.subList(1, trades.size());
        int sourceTrades = ledger.join(first, followers);
        exchange.getMessage().setBody(FillAggregation.combine(trades));
        exchange.getMessage().setHeader(FillAggregation.AGGREGATE_HEADER, sourceTrades);
        ledger.metrics().joined(followers.size());
    }

    /**
     * A record delivered again whose trade has an order that may be at the venue: the instance that had it died (or
     * lost the partition) after the outbox write and before the outcome. That order decides the trade, never a
     * second sizing. A failed or refused order (its instance died before the dead letter) goes on as before.
     */
    private boolean followsEarlierOrder(DetectedTrade trade) {
        Optional<OrderRecord> found = ledger.store().order(trade.clientOrderId());
        if (found.isEmpty()) {
            return false;
        }
        OrderRecord order = found.get();
        if (ACCEPTED.contains(order.state())) {
            ledger.finish(trade, TradeOutcome.COPIED, null, "order already " + order.state() + " when delivered again");
            LOG.info("Trade {} delivered again; its order {} is {}: copied", trade.key(), order.clientOrderId(),
                    order.state());
            return true;
        }
        boolean maybeSent = order.state() == OrderRecordState.SUBMITTING || order.state() == OrderRecordState.UNKNOWN;
        if (maybeSent && !(idKnownBeforeSending && order.venueOrderId() == null)) {
            // left SUBMITTING (its sender may still be at it) or UNKNOWN: the monitor that claims the order looks it up
            // once no one can still be sending it; found, the trade is copied; absent, it fails to the dead letters
            LOG.info("Trade {} delivered again; its order {} may have been sent ({}): left to the monitor",
                    trade.key(), order.clientOrderId(), order.state());
            return true;
        }
        return false;
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

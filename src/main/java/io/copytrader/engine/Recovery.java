package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.DeadLetter;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.TradeStore;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Resolves what a previous run left unfinished, before polling resumes (the first step of detect-trades), and
 * picks up trades a person replayed from the dead letters while the engine runs (from monitor-orders).
 *
 * <ul>
 *   <li>Orders left SUBMITTING (the request may or may not have left) become UNKNOWN: the monitor looks them up
 *       by id; found, the trade is copied; still absent after the grace period, it fails to the dead letters.
 *       Never resent blindly.</li>
 *   <li>A trade in flight whose order the venue accepted is COPIED.</li>
 *   <li>A trade in flight with no order yet is re-queued if still fresh (or replayed by a person), else
 *       EXPIRED.</li>
 * </ul>
 */
public final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    private static final Set<OrderRecordState> ACCEPTED = EnumSet.of(OrderRecordState.OPEN,
            OrderRecordState.PARTIALLY_FILLED, OrderRecordState.FILLED, OrderRecordState.CANCELED);

    private final TradeStore store;
    private final TradeLedger ledger;
    private final DeadLetterRecorder deadLetters;
    private final ProducerTemplate producer;
    private final String requeueUri;
    private final Duration maxTradeAge;
    private final Clock clock;
    private final AtomicBoolean startupDone = new AtomicBoolean();

    public Recovery(TradeStore store, TradeLedger ledger, DeadLetterRecorder deadLetters, ProducerTemplate producer,
                    String requeueUri, Duration maxTradeAge, Clock clock) {
        this.store = store;
        this.ledger = ledger;
        this.deadLetters = deadLetters;
        this.producer = producer;
        this.requeueUri = requeueUri;
        this.maxTradeAge = maxTradeAge;
        this.clock = clock;
    }

    /** Runs the startup recovery once, on the first call (detect-trades calls it before every poll). */
    public void beforePolling() {
        if (startupDone.compareAndSet(false, true)) {
            recoverAtStartup();
        }
    }

    void recoverAtStartup() {
        for (OrderRecord o : store.ordersIn(EnumSet.of(OrderRecordState.SUBMITTING))) {
            store.updateOrder(o.clientOrderId(), OrderRecordState.UNKNOWN, null, null, null);
        }
        int copied = 0;
        int requeued = 0;
        int expired = 0;
        int awaiting = 0;
        Set<String> replayed = replayedTradeKeys();
        Instant now = clock.instant();
        for (DetectedTrade trade : store.inFlight()) {
            if (ledger.isActive(trade.key())) {
                continue;
            }
            Optional<OrderRecord> order = store.order(trade.clientOrderId());
            boolean wasReplayed = replayed.contains(trade.key());
            if (order.isPresent() && !wasReplayed) {
                OrderRecordState state = order.get().state();
                if (ACCEPTED.contains(state)) {
                    if (ledger.finish(trade, TradeOutcome.COPIED, null, "order found accepted at restart")) {
                        copied++;
                    }
                } else if (state == OrderRecordState.UNKNOWN) {
                    ledger.claim(trade); // the monitor resolves it by lookup
                    awaiting++;
                } else {
                    deadLetters.record(trade, Reason.UNEXPECTED_ERROR, "order " + state + " before the restart");
                }
            } else if (wasReplayed || !trade.tsEvent().plus(maxTradeAge).isBefore(now)) {
                if (wasReplayed) {
                    ledger.metrics().replayed();
                }
                requeue(trade);
                requeued++;
            } else if (ledger.finish(trade, TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED,
                    "still unfinished at restart, older than " + maxTradeAge.toMillis() + " ms")) {
                expired++;
            }
        }
        if (copied + requeued + expired + awaiting > 0) {
            LOG.info("Recovered the previous run: {} copied (order found), {} re-queued, {} expired, {} order(s) to look up",
                    copied, requeued, expired, awaiting);
        }
    }

    /** Trades in flight that nothing in this process handles: reopened by a dead-letter replay. */
    public void adoptReplays() {
        if (!startupDone.get()) {
            return;
        }
        for (DetectedTrade trade : store.inFlight()) {
            if (!ledger.isActive(trade.key())) {
                LOG.info("Replaying trade {} from the dead letters", trade.key());
                ledger.metrics().replayed();
                requeue(trade);
            }
        }
    }

    private void requeue(DetectedTrade trade) {
        if (ledger.claim(trade)) {
            producer.sendBody(requeueUri, trade);
        }
    }

    private Set<String> replayedTradeKeys() {
        return store.deadLetters().stream().filter(d -> d.replayedAt() != null)
                .map(DeadLetter::trade).map(DetectedTrade::key).collect(Collectors.toSet());
    }
}

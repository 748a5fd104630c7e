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
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
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
    private volatile boolean recovered;

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
        if (!recovered) {
            synchronized (this) {
                if (!recovered) {
                    recoverAtStartup();
                    recovered = true;
                }
            }
        }
    }

    void recoverAtStartup() {
        for (OrderRecord o : store.ordersIn(EnumSet.of(OrderRecordState.SUBMITTING))) {
            store.moveOrder(o.clientOrderId(), OrderRecordState.UNKNOWN, null, null, null);
        }
        Set<String> replayed = replayedTradeKeys();
        Map<String, Integer> counts = new TreeMap<>();
        for (DetectedTrade trade : store.inFlight()) {
            String what = claimAndResolve(trade, replayed.contains(trade.key()));
            if (what != null) {
                counts.merge(what, 1, Integer::sum);
            }
        }
        if (!counts.isEmpty()) {
            LOG.info("Recovered what the previous run left unfinished: {}", counts);
        }
    }

    /**
     * Trades in flight that nothing in this process handles, once recovery is done: while the engine runs, only a
     * dead-letter replay makes those.
     */
    public void adoptReplays() {
        if (!recovered) {
            return;
        }
        for (DetectedTrade trade : store.inFlight()) {
            String what = claimAndResolve(trade, true);
            if (what != null) {
                LOG.info("Replaying trade {} from the dead letters: {}", trade.key(), what);
            }
        }
    }

    /**
     * Claims a trade seen in flight and, if it is still unfinished, resolves it; null when someone else handles it
     * or it ended since it was listed. A handler records the outcome before it releases its claim, so a claim that
     * succeeds followed by a look at the store cannot miss an outcome.
     */
    private String claimAndResolve(DetectedTrade trade, boolean replayed) {
        if (!ledger.claim(trade)) {
            return null;
        }
        if (store.outcome(trade.key()).isPresent()) {
            ledger.release(trade);
            return null;
        }
        return resolve(trade, replayed);
    }

    /**
     * What a claimed, unfinished trade needs, decided by its order first: an order the venue accepted means
     * copied; an order that may have been sent is looked up; a trade with no order, or whose order failed and a
     * person replayed it, goes back on the queue if fresh or replayed, else expires.
     */
    private String resolve(DetectedTrade trade, boolean replayed) {
        Optional<OrderRecord> order = store.order(trade.clientOrderId());
        OrderRecordState state = order.map(OrderRecord::state).orElse(null);
        if (state != null && ACCEPTED.contains(state)) {
            ledger.finish(trade, TradeOutcome.COPIED, null, "order found " + state + " at restart");
            return "copied";
        }
        if (state == OrderRecordState.UNKNOWN || state == OrderRecordState.SUBMITTING) {
            return "looked up"; // claimed; the monitor resolves it by lookup
        }
        if (state != null && !replayed) {
            deadLetters.record(trade, Reason.UNEXPECTED_ERROR, "order " + state + " before the restart");
            return "failed";
        }
        if (replayed || !trade.tsEvent().plus(maxTradeAge).isBefore(clock.instant())) {
            if (replayed) {
                ledger.metrics().replayed();
            }
            requeue(trade);
            return "re-queued";
        }
        ledger.finish(trade, TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED,
                "still unfinished at restart, older than " + maxTradeAge.toMillis() + " ms");
        return "expired";
    }

    private void requeue(DetectedTrade trade) {
        producer.sendBody(requeueUri, trade);
    }

    private Set<String> replayedTradeKeys() {
        return store.deadLetters().stream().filter(d -> d.replayedAt() != null)
                .map(DeadLetter::trade).map(DetectedTrade::key).collect(Collectors.toSet());
    }
}

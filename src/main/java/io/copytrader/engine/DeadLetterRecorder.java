package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter channel's end: stores the letter with its reason and the original trade, and records the trade
 * FAILED(reason). Whatever reaches it without a reason (an unexpected exception) is UNEXPECTED_ERROR.
 */
public final class DeadLetterRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRecorder.class);

    private final TradeLedger ledger;

    public DeadLetterRecorder(TradeLedger ledger) {
        this.ledger = ledger;
    }

    public void record(Exchange exchange) {
        DetectedTrade trade = tradeOf(exchange);
        Reason reason = exchange.getProperty(ExchangeProps.DEAD_LETTER_REASON, Reason.class);
        String detail = exchange.getProperty(ExchangeProps.DEAD_LETTER_DETAIL, String.class);
        if (reason == null) {
            reason = Reason.UNEXPECTED_ERROR;
            Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            detail = caught == null ? "unknown failure" : Failures.rootOf(caught).toString();
        }
        if (trade == null) {
            LOG.error("A failure with no trade reached the dead letters: {} {}", reason, detail);
            return;
        }
        record(trade, reason, detail);
    }

    public void record(DetectedTrade trade, Reason reason, String detail) {
        if (ledger.store().outcome(trade.key()).isPresent()) {
            return; // already ended (e.g. abandoned at shutdown): one outcome
        }
        // the letter first: a crash between the two writes leaves a letter and a trade still in flight (which the
        // restart resolves), never a failed trade without its letter
        long id = ledger.store().addDeadLetter(trade, reason, detail);
        // the trades its order copied with it (fills of one target order, trades joined in the queue) fail with it:
        // each keeps a letter of its own, so each can be replayed (a replay copies that trade alone)
        for (DetectedTrade follower : ledger.followers(trade)) {
            if (ledger.store().outcome(follower.key()).isEmpty()) {
                ledger.store().addDeadLetter(follower, reason, "with aggregate " + trade.key() + ": " + detail);
            }
        }
        if (!ledger.finish(trade, TradeOutcome.FAILED, reason, detail)) {
            if (ledger.store().trade(trade.key()).isEmpty()) {
                // its admission failed: no outcome to record, and a replay has no trade to put back in flight
                LOG.error("Dead letter {}: trade {} {} ({}); it was never stored, so it cannot be replayed", id,
                        trade.key(), reason, detail);
            }
            return;
        }
        if (reason == Reason.EXCHANGE_INSUFFICIENT_BALANCE || reason == Reason.EXCHANGE_CIRCUIT_OPEN) {
            LOG.warn("Dead letter {}: trade {} {} ({})", id, trade.key(), reason, detail);
        } else {
            LOG.error("Dead letter {}: trade {} {} ({})", id, trade.key(), reason, detail);
        }
    }

    private static DetectedTrade tradeOf(Exchange exchange) {
        DetectedTrade trade = exchange.getProperty(ExchangeProps.TRADE, DetectedTrade.class);
        if (trade != null) {
            return trade;
        }
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        if (intent != null) {
            return intent.source();
        }
        Object body = exchange.getMessage().getBody();
        return body instanceof DetectedTrade t ? t : null;
    }
}

package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.DeadLetter;
import io.copytrader.store.TradeStore;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dead-letter channel's end: stores the letter with its reason and the original trade, and records the trade
 * FAILED(reason). Whatever reaches it without a reason (an unexpected exception) is UNEXPECTED_ERROR. A letter the
 * store could not take is written again later ({@link #recordAgainWhatFailed}), once.
 */
public final class DeadLetterRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRecorder.class);

    private final TradeLedger ledger;
    /** A letter {@link #record} could not write: written again by {@link #recordAgainWhatFailed}. */
    private record Letter(DetectedTrade trade, Reason reason, String detail) {
    }

    private final Map<String, Letter> failedLetters = new ConcurrentHashMap<>();
    /**
     * Letters the store could not take: one WARN line every 10 s at most, no stack trace. A store that cannot write
     * (a full disk, a database gone) fails the same trade at every poll, and Camel's own line for each, with its
     * stack, filled the log at thousands of lines a second (the errors route configuration no longer writes it).
     */
    private final AggregatedWarn unwritten = new AggregatedWarn(LOG,
            "Dead letters the store could not take; each is kept and written again at the monitor's next passes", 10_000);
    /** Feed trades neither admitted nor dead-lettered (see {@link TradeAdmissions#holdForUnwrittenLetter}). */
    private final AggregatedWarn unwrittenFeedTrades = new AggregatedWarn(LOG,
            "Feed trades the store could neither admit nor dead-letter; their trader's cursor stays, so they are read "
                    + "again at the next poll", 10_000);
    private static final int PAGE = 500;

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
        boolean refusedAdmission = TradeAdmissions.admissionRefused(exchange);
        try {
            if (refusedAdmission) {
                letterForRefusedAdmission(trade, reason, detail);
            } else {
                recordOnce(trade, reason, detail);
            }
        } catch (RuntimeException failed) {
            if (refusedAdmission && TradeAdmissions.holdForUnwrittenLetter(exchange)) {
                // a feed trade in no table: its trader's cursor stays before it, and the next poll tries again
                ledger.metrics().admissionHeld();
                unwrittenFeedTrades.event(trade.key() + " " + reason + ": " + failed.getMessage());
                return;
            }
            keepForLater(trade, reason, detail, failed);
        }
    }

    /**
     * Fails {@code trade} to the dead letters: its letter (and one for each trade its order copied with it), then its
     * outcome FAILED. A store error on the way is thrown, and the letter is written again at
     * {@link #recordAgainWhatFailed}, so the trade does not stay in flight until a restart.
     */
    public void record(DetectedTrade trade, Reason reason, String detail) {
        try {
            recordOnce(trade, reason, detail);
        } catch (RuntimeException failed) {
            keepForLater(trade, reason, detail, failed);
        }
    }

    private void keepForLater(DetectedTrade trade, Reason reason, String detail, RuntimeException failed) {
        failedLetters.put(trade.key(), new Letter(trade, reason, detail));
        unwritten.event(trade.key() + " " + reason + ": " + failed.getMessage());
        throw failed;
    }

    /**
     * Writes again the letters whose {@link #record} failed (the store down a moment; or a write committed though its
     * answer was lost), each once: a letter the earlier attempt stored is not stored again, and an outcome it wrote
     * is counted once ({@link TradeLedger#finishAgain}). Those the store still cannot take wait for the next call.
     * The monitor calls it at each pass. Never throws. Before, a trade whose letter or outcome could not be written
     * stayed in flight, no letter to replay, until the next start's recovery; when it was the monitor's (an order
     * refused, or unknown to the venue), its order had ended, and no later pass looked at it again.
     */
    public void recordAgainWhatFailed() {
        for (Letter letter : failedLetters.values()) {
            DetectedTrade trade = letter.trade();
            try {
                if (ledger.store().ended(trade.key()).isEmpty()) {
                    letterUnlessStored(trade, letter.reason(), letter.detail());
                    for (DetectedTrade follower : ledger.followers(trade)) {
                        if (ledger.store().outcome(follower.key()).isEmpty()) {
                            letterUnlessStored(follower, letter.reason(), "with aggregate " + trade.key() + ": "
                                    + letter.detail());
                        }
                    }
                }
                failedLetters.remove(trade.key());
                if (ledger.finishAgain(trade, TradeOutcome.FAILED, letter.reason(), letter.detail())) {
                    logged(-1, trade, letter.reason(), letter.detail() + "; written after the store failed");
                }
            } catch (RuntimeException stillFailing) {
                failedLetters.putIfAbsent(trade.key(), letter);
                LOG.debug("Trade {}: its dead letter still cannot be written: {}", trade.key(), stillFailing.toString());
            }
        }
    }

    /** Trades whose {@link #record} failed, by trade key: written again by {@link #recordAgainWhatFailed}. */
    int failedLetters() {
        return failedLetters.size();
    }

    /**
     * A feed trade the store refused to admit, too old to hold its trader's cursor: its letter, once. It is in no table
     * (unless the refused admission was committed after all: then it ends FAILED as any other), so no outcome can be
     * written, and the same trade may be read again: its trader's cursor held by a trade beside it, or by its own letter
     * refused once before. Before, each read of it added one more letter, each with an ERROR line. When a later read
     * admits it after all, the admission marks the letter admitted ({@link TradeStore#admit}): it no longer waits for a
     * person, and the trade goes through the pipeline from there.
     */
    private void letterForRefusedAdmission(DetectedTrade trade, Reason reason, String detail) {
        if (ledger.store().trade(trade.key()).isPresent()) {
            recordOnce(trade, reason, detail);
        } else if (letterUnlessStored(trade, reason, detail)) {
            LOG.error("Dead letter: trade {} {} ({}); it was never stored, so it cannot be replayed (should a later "
                    + "poll admit it, the letter is marked admitted)", trade.key(), reason, detail);
        }
    }

    /**
     * Adds the letter unless a pending one with this reason is stored for the trade (an earlier attempt's). A letter
     * its trade was admitted after (a refused admission's) is not pending: a failure of the trade since gets its own.
     *
     * @return true when it added one
     */
    private boolean letterUnlessStored(DetectedTrade trade, Reason reason, String detail) {
        TradeStore.DeadLetterFilter pending = new TradeStore.DeadLetterFilter(reason, true);
        long before = Long.MAX_VALUE;
        while (true) {
            List<DeadLetter> page = ledger.store().deadLetters(pending, before, PAGE);
            if (page.stream().anyMatch(d -> d.trade().key().equals(trade.key()))) {
                return false;
            }
            if (page.size() < PAGE) {
                break;
            }
            before = page.get(page.size() - 1).id();
        }
        ledger.store().addDeadLetter(trade, reason, detail);
        return true;
    }

    private void recordOnce(DetectedTrade trade, Reason reason, String detail) {
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
        logged(id, trade, reason, detail);
    }

    /** A letter stored and its trade failed: an error, but for the refusals the engine expects (a warning). */
    private static void logged(long id, DetectedTrade trade, Reason reason, String detail) {
        String letter = id < 0 ? "Dead letter" : "Dead letter " + id;
        if (reason == Reason.EXCHANGE_INSUFFICIENT_BALANCE || reason == Reason.EXCHANGE_CIRCUIT_OPEN) {
            LOG.warn("{}: trade {} {} ({})", letter, trade.key(), reason, detail);
        } else {
            LOG.error("{}: trade {} {} ({})", letter, trade.key(), reason, detail);
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

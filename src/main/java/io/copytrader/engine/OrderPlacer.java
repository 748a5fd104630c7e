package io.copytrader.engine;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.StoreException;
import io.copytrader.store.TradeStore;
import io.copytrader.venue.ExchangeAdapter;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.ResignRequiredException;
import io.copytrader.venue.OrderDeniedException;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.PlaceResult;
import io.copytrader.venue.PreparedOrder;
import io.copytrader.venue.TransientVenueException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The steps of the place-order, send-order and submit-order routes: outbox first, then the HTTP request, the
 * classification of the answer, the retry decision, and what follows from the answer or the failure. Also the
 * circuit breaker's fallback. The rules (docs/failure-semantics.md):
 * <ul>
 *   <li>one {@link RetryPolicy} per order: only {@link Failures.Kind#RETRYABLE} failures are sent again, at most
 *       {@code EXCHANGE_MAX_RETRIES} times, and never once the breaker is open;</li>
 *   <li>a trade whose order failed counts once toward the breaker ({@link OrderBreaker}), and only if it was the
 *       venue's failure;</li>
 *   <li>order states move by guarded transitions ({@link TradeStore#moveOrder}); whoever moves an order into a
 *       terminal state settles or releases the book, nobody else;</li>
 *   <li>once a request may have left, only the venue's answer or a lookup ends the order; on a venue that knows
 *       the order's id before it is sent, a 5xx answer counts as "may have left";</li>
 *   <li>on such a venue the signed order is persisted with its id before the first send, every resend posts exactly
 *       it, and a replay signs again only once the venue confirms the earlier id absent.</li>
 * </ul>
 */
public final class OrderPlacer {
    private static final Logger LOG = LoggerFactory.getLogger(OrderPlacer.class);

    private final ExchangeAdapter adapter;
    private final TradeStore store;
    private final TradeLedger ledger;
    private final Portfolio portfolio;
    private final CopyReporter reporter;
    private final Clock clock;
    private final RetryPolicy retry;
    private final OrderBreaker breaker;
    /** Orders a consumer holds between the outbox write and the answer, with the requests sent so far. */
    private final Map<ClientOrderId, Integer> inHand = new ConcurrentHashMap<>();
    /**
     * The venue's answers whose write reported an error and whose read-back failed too (the store still down): the
     * write may have been committed or not. Held, their orders left alone by the monitor as if in hand, until
     * {@link #resolveAnswersInDoubt} reads them back.
     */
    private final Map<ClientOrderId, Answer> answersInDoubt = new ConcurrentHashMap<>();
    private final DeadLetterRecorder deadLetters;
    private volatile boolean closed;

    /**
     * Where this exchange's reservation in the book (made when its trade was sized) stands
     * ({@link ExchangeProps#RESERVATION}). It is released exactly once on every path where nothing was sent, and never
     * by this exchange once it rides on an order that may be at the venue.
     */
    public enum Reservation {
        /** The exchange holds it: no order in the outbox is known to carry it. Released by the exchange if nothing leaves. */
        HELD,
        /**
         * The order this exchange wrote or reopened carries it: whoever moves that order into a terminal state settles
         * or releases it ({@link TradeStore#moveOrder} lets one path win).
         */
        WITH_ORDER,
        /**
         * Released by this exchange, or given back where it follows an order placed before ({@link Portfolio#withdraw}).
         */
        RELEASED
    }

    public OrderPlacer(ExchangeAdapter adapter, TradeStore store, TradeLedger ledger, Portfolio portfolio,
                       CopyReporter reporter, Clock clock, RetryPolicy retry, OrderBreaker breaker) {
        this.adapter = adapter;
        this.store = store;
        this.ledger = ledger;
        this.portfolio = portfolio;
        this.reporter = reporter;
        this.clock = clock;
        this.retry = retry;
        this.breaker = breaker;
        this.deadLetters = new DeadLetterRecorder(ledger);
    }

    /** A venue's answer to an order's send, and when it came. */
    private record Answer(CopyIntent intent, PlaceResult result, Instant at) {
        /** The state its write moves the order to. */
        OrderRecordState to() {
            return result instanceof PlaceResult.Accepted accepted ? toRecordState(accepted.status().state())
                    : OrderRecordState.REJECTED;
        }

        /** From the trade's detection to the venue's acceptance. */
        Duration latency() {
            return Duration.between(intent.source().tsInit(), at);
        }
    }

    /**
     * From now on no new order leaves (orders already being sent finish). Called when the routes stopped, before
     * the trades left unfinished are recorded: an order written to the outbox after this is failed unsent.
     */
    public void closeForShutdown() {
        closed = true;
    }

    /**
     * Whether a consumer of this process is sending this order right now, or holds the venue's answer to it in doubt
     * ({@link #resolveAnswersInDoubt}): the monitor leaves it alone.
     */
    public boolean isInHand(ClientOrderId clientOrderId) {
        return inHand.containsKey(clientOrderId) || answersInDoubt.containsKey(clientOrderId);
    }

    /**
     * Writes the intent to the outbox (SUBMITTING) before anything is sent ({@link #sign} prepares it). An order
     * already in the outbox is sent again only if it never reached the venue or was refused (a replay); otherwise
     * {@link ExchangeProps#ALREADY_PLACED} is set and the order is left to the monitor.
     */
    public void prepare(Exchange exchange) {
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        String tradeKey = intent.source().key();
        ClientOrderId id = intent.clientOrderId();
        Instant firstAttempt = clock.instant();
        exchange.setProperty(ExchangeProps.OUTBOX_FROM, firstAttempt);
        if (writeIntent(intent, firstAttempt)) {
            exchange.setProperty(ExchangeProps.RESERVATION, Reservation.WITH_ORDER);
        } else {
            Optional<OrderRecord> existing = store.order(id);
            if (existing.isEmpty()) {
                endedBeforeItsOrder(exchange, intent);
                return;
            }
            if (!prepareAgain(id, existing)) {
                placedBefore(exchange, intent);
                return;
            }
            exchange.setProperty(ExchangeProps.RESERVATION, Reservation.WITH_ORDER);
            if (existing.isPresent() && adapter.knowsOrderIdBeforeSending() && existing.get().venueOrderId() != null) {
                // a replay of an order that was signed (and maybe sent): the venue is asked about it first (sign)
                exchange.setProperty(ExchangeProps.EARLIER_ORDER, existing.get().venueOrderId());
            }
        }
        inHand.put(id, 0);
        if (closed) {
            // the engine is stopping and may have recorded what is unsent already: nothing leaves now; a trade the
            // shutdown did not abandon yet is abandoned by it (its order never left)
            failOrder(exchange, intent);
            inHand.remove(id);
            exchange.setProperty(ExchangeProps.ALREADY_PLACED, true);
            return;
        }
        if (ledger.isRetracted(tradeKey)) {
            // a reorg removed the target's fill: checked after the outbox write, so a retraction that found no
            // order has happened before this check and is seen here; the order is never sent
            failOrder(exchange, intent);
            inHand.remove(id);
            ledger.finish(intent.source(), TradeOutcome.SKIPPED, Reason.CHAIN_REORGED, "fill removed by a chain reorg");
            exchange.setProperty(ExchangeProps.ALREADY_PLACED, true);
            LOG.warn("Not placing {} for trade {}: its fill was removed by a chain reorg", intent.clientOrderId(), tradeKey);
            return;
        }
    }

    /**
     * Writes the intent ({@link TradeStore#recordIntent}), tried again in place after a transient store error
     * ({@link StoreRetries}): nothing was sent, and one dropped connection no longer fails the trade to the dead
     * letters. An attempt that reported an error may have been committed all the same (a PostgreSQL connection
     * dropped between the commit and its answer); the next one then finds the order in the outbox and the store
     * answers false. That order is this call's own when {@link #writtenByAnEarlierAttempt} says so, and it is sent
     * (true), once; otherwise the store's answer stands and the order is taken as placed before, as it always was.
     */
    private boolean writeIntent(CopyIntent intent, Instant firstAttempt) {
        return ledger.storeRetries().write(() -> "record the intent " + intent.clientOrderId(), afterAFailure -> {
            boolean written = store.recordIntent(intent.source().key(), intent);
            if (!written && afterAFailure && writtenByAnEarlierAttempt(intent, firstAttempt)) {
                LOG.info("Order {} for trade {}: its intent was committed though the write's answer was lost; "
                        + "sending it", intent.clientOrderId(), intent.source().key());
                return true;
            }
            return written;
        });
    }

    /**
     * Whether the order in the outbox was written by an earlier attempt of this call whose answer was lost: an
     * engine alone on its store (with several, another instance may have written the same order and sent it), the
     * order this trade's, SUBMITTING, never signed, written no earlier than this call's first attempt (so not by a
     * previous run or an earlier placing), and not being sent by a consumer of this process. Nothing of it can have
     * left: a request leaves only once its order is in hand ({@link #request}), which comes after the intent's write.
     */
    private boolean writtenByAnEarlierAttempt(CopyIntent intent, Instant firstAttempt) {
        if (!ledger.aloneOnStore() || inHand.containsKey(intent.clientOrderId())) {
            return false;
        }
        Optional<OrderRecord> order = store.order(intent.clientOrderId());
        return order.isPresent() && order.get().state() == OrderRecordState.SUBMITTING
                && order.get().tradeKey().equals(intent.source().key()) && order.get().venueOrderId() == null
                && !order.get().createdAt().isBefore(firstAttempt);
    }

    /**
     * Prepares the order written to the outbox (reads the venue's market data, signs): the first step of
     * send-order, so a transient failure here (the book answering 503) is retried under the order's retry policy
     * and prepares again; nothing was sent. Once prepared, a redelivery of the send does not prepare again. A replay
     * whose earlier order was signed asks the venue about it first ({@link #earlierOrderFound}), under the same
     * policy, and signs again only when the venue confirms it absent.
     */
    public void sign(Exchange exchange) {
        if (exchange.getProperty(ExchangeProps.PREPARED) != null) {
            return;
        }
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        ClientOrderId id = intent.clientOrderId();
        exchange.setProperty(ExchangeProps.PREPARE_ATTEMPTS,
                exchange.getProperty(ExchangeProps.PREPARE_ATTEMPTS, 0, Integer.class) + 1);
        VenueOrderId earlier = exchange.getProperty(ExchangeProps.EARLIER_ORDER, VenueOrderId.class);
        if (earlier != null) {
            if (earlierOrderFound(exchange, intent, earlier)) {
                return;
            }
            exchange.removeProperty(ExchangeProps.EARLIER_ORDER); // confirmed absent: signed again below
        }
        PreparedOrder prepared;
        try {
            prepared = adapter.prepareOrder(intent);
        } catch (OrderDeniedException denied) {
            // the venue's state already says this order cannot succeed: nothing signed, nothing sent
            failOrder(exchange, intent);
            inHand.remove(id);
            ledger.finish(intent.source(), TradeOutcome.SKIPPED, denied.reason(), denied.getMessage());
            exchange.setProperty(ExchangeProps.ALREADY_PLACED, true);
            LOG.info("Not placing {} for trade {}: {} ({})", id, intent.source().key(), denied.reason(), denied.getMessage());
            return;
        }
        remember(exchange, intent, prepared);
    }

    /**
     * Whether an order already in the outbox is prepared and sent again: one prepared but certainly never sent (a
     * retry of preparation, or a run that stopped before signing) or one that failed or was refused (a replay).
     */
    private boolean prepareAgain(ClientOrderId id, Optional<OrderRecord> existing) {
        if (existing.isPresent() && neverSent(existing.get())) {
            // never signed and sent: a retry of preparation prepares again (an UNKNOWN one is failed, then re-opened)
            return existing.get().state() == OrderRecordState.SUBMITTING
                    || store.moveOrder(id, OrderRecordState.FAILED, null, null, null)
                    && store.moveOrder(id, OrderRecordState.SUBMITTING, null, null, null);
        }
        return store.moveOrder(id, OrderRecordState.SUBMITTING, null, null, null);
    }

    /**
     * No intent was written because the trade has an outcome already: a chain reorg removed its fill while it waited
     * (SKIPPED, CHAIN_REORGED), or, with several instances, another one's orphan sweep expired it while this one was
     * sizing it past the age limit. Nothing is sent and the outcome stands.
     */
    private void endedBeforeItsOrder(Exchange exchange, CopyIntent intent) {
        exchange.setProperty(ExchangeProps.ALREADY_PLACED, true);
        release(exchange, intent);
        ledger.endedElsewhere(intent.source());
        LOG.warn("Not placing {} for trade {}: the trade was ended ({}) before its order was written",
                intent.clientOrderId(), intent.source().key(),
                store.outcome(intent.source().key()).map(Object::toString).orElse("by another instance"));
    }

    /** Placed before (a restart or a replay) and not failed: never a second order; the trade follows that order. */
    private void placedBefore(Exchange exchange, CopyIntent intent) {
        ClientOrderId id = intent.clientOrderId();
        String tradeKey = intent.source().key();
        OrderRecordState state = store.order(id).map(OrderRecord::state).orElse(OrderRecordState.UNKNOWN);
        exchange.setProperty(ExchangeProps.ALREADY_PLACED, true);
        withdraw(exchange, intent);
        if (state == OrderRecordState.SUBMITTING || state == OrderRecordState.UNKNOWN) {
            store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
            LOG.warn("Order {} for trade {} may have been sent already; looking it up, not resending", id, tradeKey);
        } else {
            ledger.finish(intent.source(), TradeOutcome.COPIED, null, "order already " + state);
            LOG.warn("Order {} for trade {} is already {}; not sending it again", id, tradeKey, state);
        }
    }

    /**
     * A replay of a trade whose earlier order carries a venue id known before sending (a signed order's hash): that
     * order may have reached the venue whatever we recorded (an answer lost in a 504), and signing again could make
     * a second, different order (a SELL capped to a balance that order already sold). So the venue is asked first:
     * found, the trade follows that order (looked up by the monitor, as after an unknown outcome); confirmed absent,
     * the order is signed again. A failed look-up throws a transient error: it is the first step of send-order, so
     * the order's {@link RetryPolicy} asks again (backoff, at most 1 + {@code EXCHANGE_MAX_RETRIES} look-ups, none
     * once the breaker is open); when they run out the replay fails to the dead letters unsigned (it can be replayed
     * again). Never a second order.
     */
    private boolean earlierOrderFound(Exchange exchange, CopyIntent intent, VenueOrderId earlier) {
        Optional<OrderStatus> found;
        try {
            found = adapter.findEarlierOrder(intent, earlier);
        } catch (IOException e) {
            throw new TransientVenueException("looking up the earlier order of " + intent.clientOrderId() + " failed: "
                    + e.getClass().getSimpleName(), 0, null);
        }
        if (found.isEmpty()) {
            return false;
        }
        exchange.setProperty(ExchangeProps.ALREADY_PLACED, true);
        inHand.remove(intent.clientOrderId());
        withdraw(exchange, intent);
        LOG.warn("Order {} for trade {} is at the venue already ({}); following it, not signing a second one",
                intent.clientOrderId(), intent.source().key(), found.get().state());
        try {
            store.moveOrder(intent.clientOrderId(), OrderRecordState.UNKNOWN, null, null, null);
        } catch (StoreException notRecorded) {
            // never failed for it: the order is at the venue. Left SUBMITTING and out of hand, the monitor takes it
            // as its consumer's died and looks it up
            LOG.warn("Order {} (trade {}): its unknown outcome could not be recorded ({}); the monitor looks it up",
                    intent.clientOrderId(), intent.source().key(), Failures.rootOf(notRecorded).toString());
        }
        return true;
    }

    /**
     * An order recorded but certainly never sent: the venue's id is known before sending and persisted first (a
     * signed order's hash), and none was persisted. Only then; elsewhere "no id" may still mean "sent".
     */
    boolean neverSent(OrderRecord order) {
        return adapter.knowsOrderIdBeforeSending() && order.venueOrderId() == null
                && (order.state() == OrderRecordState.SUBMITTING || order.state() == OrderRecordState.UNKNOWN);
    }

    /**
     * Persists what preparing learnt before the order's request is built. Each write sets the same values however often
     * it runs, and nothing of this preparation has left yet, so a transient store error tries it again in place
     * ({@link StoreRetries}).
     */
    private void remember(Exchange exchange, CopyIntent intent, PreparedOrder prepared) {
        ClientOrderId id = intent.clientOrderId();
        if (prepared.signedOrder() != null) {
            // the hash and the signed order in one write, before anything is sent: every resend posts these bytes
            ledger.storeRetries().write(() -> "record the signed order " + id,
                    () -> store.recordSigned(id, prepared.venueOrderId(), prepared.signedOrder()));
        } else if (prepared.venueOrderId() != null) {
            ledger.storeRetries().write(() -> "record the venue's id of " + id,
                    () -> store.updateOrder(id, null, prepared.venueOrderId(), null, null));
        }
        exchange.setProperty(ExchangeProps.PREPARED, prepared);
    }

    /** Sets the HTTP request on the message (first step of submit-order, so every retry starts clean). */
    public void request(Exchange exchange) {
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        ClientOrderId id = intent.clientOrderId();
        if (exchange.getProperty(ExchangeProps.RESIGN, false, Boolean.class)) {
            // the venue changed its order version: the order must be prepared (signed) again, and its new id
            // persisted before it is sent
            exchange.removeProperty(ExchangeProps.RESIGN);
            remember(exchange, intent, adapter.prepareOrder(intent));
        } else if (inHand.getOrDefault(id, 0) > 0 && adapter.knowsOrderIdBeforeSending()) {
            // a resend: exactly the signed order persisted before the first send, so it can only be the same order
            PreparedOrder sent = exchange.getProperty(ExchangeProps.PREPARED, PreparedOrder.class);
            Optional<String> signed = store.signedOrder(id);
            if (signed.isPresent()) {
                exchange.setProperty(ExchangeProps.PREPARED, adapter.resend(intent, sent.venueOrderId(), signed.get()));
            }
        }
        PreparedOrder prepared = exchange.getProperty(ExchangeProps.PREPARED, PreparedOrder.class);
        Message m = exchange.getMessage();
        m.getHeaders().clear();
        // the enum, not its name: camel-http reads the header as HttpMethods, and converting a String costs a
        // type-converter miss (a scan of every converter) on each request, the largest single cost in the profile
        m.setHeader(Exchange.HTTP_METHOD, HttpMethods.valueOf(prepared.call().method()));
        m.setHeader(Exchange.HTTP_URI, prepared.call().url());
        prepared.call().headers().forEach(m::setHeader);
        m.setBody(prepared.call().body());
        inHand.merge(intent.clientOrderId(), 1, Integer::sum); // from here on the request may leave
        exchange.setProperty(ExchangeProps.SENT, true);
    }

    /** Classifies the venue's answer; "try again" answers throw {@link io.copytrader.venue.TransientVenueException}. */
    public PlaceResult classify(Exchange exchange) {
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        Message m = exchange.getMessage();
        Integer status = m.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        Map<String, String> headers = new HashMap<>();
        m.getHeaders().forEach((k, v) -> {
            if (v instanceof String s && !k.startsWith("Camel")) {
                headers.put(k.toLowerCase(Locale.ROOT), s);
            }
        });
        HttpReply reply = new HttpReply(status == null ? 0 : status, headers, m.getBody(String.class));
        boolean maybeTakenBefore = exchange.getProperty(ExchangeProps.MAYBE_TAKEN, false, Boolean.class);
        if (reply.status() >= 500 && adapter.knowsOrderIdBeforeSending()) {
            // a server error (a 504 from the gateway) says nothing of whether the CLOB took the order behind it
            exchange.setProperty(ExchangeProps.MAYBE_TAKEN, true);
        }
        try {
            return adapter.onPlaceReply(intent, reply);
        } catch (ResignRequiredException e) {
            if (maybeTakenBefore) {
                // an earlier send may have been taken under the persisted hash: never sign a second, different order
                throw new TransientVenueException(e.getMessage() + "; not signed again: an earlier send may have been "
                        + "taken", reply.status(), null);
            }
            exchange.setProperty(ExchangeProps.RESIGN, true);
            throw e;
        }
    }

    /**
     * The retry policy, as send-order's {@code retryWhile}: true (with the wait as the redelivery delay) when the
     * failure left nothing at the venue, the order has sends left, and the breaker is not open.
     */
    public boolean retryAgain(Exchange exchange) {
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        // preparing failed (the market data read): nothing was sent, so any venue failure is retried, by attempts
        boolean preparing = exchange.getProperty(ExchangeProps.PREPARED) == null;
        int sends = preparing ? exchange.getProperty(ExchangeProps.PREPARE_ATTEMPTS, 0, Integer.class)
                : inHand.getOrDefault(intent.clientOrderId(), 0);
        boolean retryable = failure != null && (preparing ? Failures.classify(failure) != Failures.Kind.NOT_VENUE
                : Failures.isRetryable(failure));
        if (!retryable || !retry.allowsAnotherSend(sends) || breaker.isOpen()) {
            return false;
        }
        Duration retryAfter = Failures.rootOf(failure) instanceof TransientVenueException t ? t.retryAfter() : null;
        long delay = retry.delayBeforeRetryMs(sends, retryAfter);
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, delay);
        LOG.debug("Order {}: send {} failed ({}); sending again in {} ms", intent.clientOrderId(), sends,
                Failures.rootOf(failure), delay);
        return true;
    }

    /**
     * What a send that failed for good means (send-order's failure, after its retries): the order moves on in the
     * store, the book is released if nothing can be at the venue, and the trade counts once toward the breaker if
     * it was the venue's failure. Always throws {@link OrderFailedException}, which the breaker does not count again.
     */
    public void onSendFailed(Exchange exchange) {
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ClientOrderId id = intent.clientOrderId();
        String what = String.valueOf(Failures.rootOf(caught));
        int sends = inHand.getOrDefault(id, 0);
        Failures.Kind kind = Failures.classify(caught);
        if (sends == 0 && kind == Failures.Kind.UNKNOWN_OUTCOME) {
            kind = Failures.Kind.RETRYABLE; // a lost answer while preparing (market data): nothing was sent
        }
        try {
            switch (kind) {
                case RETRYABLE -> {
                    boolean counted = breaker.countFailure(Failures.rootOf(caught));
                    if (sends > 0 && exchange.getProperty(ExchangeProps.MAYBE_TAKEN, false, Boolean.class)) {
                        // a send answered with a server error may have been taken: its hash was persisted before it
                        // left, so the monitor looks it up (found: copied; confirmed absent: failed, replayable)
                        store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
                        LOG.warn("Order {} (trade {}): {} send(s), the last {}; it may be at the venue: looking it up "
                                + "by its hash, not failing or resending it{}", id, intent.source().key(), sends, what,
                                counted ? "" : " (breaker open already, not counted)");
                        throw new OrderFailedException(null, "maybe at the venue after " + sends + " send(s): " + what);
                    }
                    if (!failOrder(exchange, intent)) {
                        throw movedOnMeanwhile(intent, what);
                    }
                    if (counted) {
                        throw new OrderFailedException(Reason.EXCHANGE_RETRIES_EXHAUSTED, sends == 0
                                ? (exchange.getProperty(ExchangeProps.EARLIER_ORDER) != null
                                        ? "the earlier order could not be looked up, every attempt failed: "
                                        : "not prepared, every attempt failed: ") + what
                                : sends + " send(s), every one refused: " + what);
                    }
                    throw new OrderFailedException(Reason.EXCHANGE_CIRCUIT_OPEN, "circuit breaker opened after "
                            + sends + " send(s) (" + what + "); not sent again");
                }
                case UNKNOWN_OUTCOME -> {
                    boolean counted = breaker.countFailure(Failures.rootOf(caught));
                    store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
                    LOG.warn("No answer for order {} (trade {}) after it was sent ({}){}; it will be looked up, never resent",
                            id, intent.source().key(), what, counted ? "" : " (breaker open already, not counted)");
                    throw new OrderFailedException(null, "no answer: " + what);
                }
                default -> {
                    if (sends > 0) {
                        // something of ours failed after a request may have left: only a lookup can end the order
                        store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
                        LOG.error("Unexpected failure after sending order {} (trade {}); it will be looked up",
                                id, intent.source().key(), caught);
                        throw new OrderFailedException(null, "unexpected failure after sending: " + what);
                    }
                    if (!failOrder(exchange, intent)) {
                        throw movedOnMeanwhile(intent, what);
                    }
                    LOG.error("Unexpected failure placing order {} for trade {}", id, intent.source().key(), caught);
                    throw new OrderFailedException(Reason.UNEXPECTED_ERROR, what);
                }
            }
        } finally {
            inHand.remove(id);
        }
    }

    /**
     * Ends this exchange's order, which nothing of can be at the venue; the book is released by whoever ends it, and
     * by this exchange once ({@link #release}).
     */
    private boolean failOrder(Exchange exchange, CopyIntent intent) {
        if (moveOwnOrder(intent.clientOrderId(), OrderRecordState.FAILED)) {
            release(exchange, intent);
            return true;
        }
        return false;
    }

    /**
     * A failed send whose order someone else moved on meanwhile (found at the venue by a lookup: open, filled): it is
     * theirs to end, and its trade's outcome with it. Not a dead letter: before, the trade failed to the dead letters
     * while its order stood at the venue, and a replay of that letter would have copied it again.
     */
    private OrderFailedException movedOnMeanwhile(CopyIntent intent, String what) {
        OrderRecordState state = store.order(intent.clientOrderId()).map(OrderRecord::state).orElse(null);
        LOG.warn("Order {} (trade {}): its send failed ({}), and it was moved on meanwhile ({}); left to whoever moved "
                + "it, not failed here", intent.clientOrderId(), intent.source().key(), what, state);
        return new OrderFailedException(null, "moved on meanwhile (" + state + "): " + what);
    }

    /**
     * Moves an order this exchange alone moves (in its hand, or written or reopened by it and not yet looked up: the
     * monitor leaves those alone). A write that reported an error may have been committed all the same (a
     * PostgreSQL connection dropped between the commit and its answer): then nobody would settle or release the book
     * for it, and the reservation would stop the book's refresh until a restart. So it is read back: found in
     * {@code to}, it is taken as moved here. Else the error stands. A move refused because the order is in {@code to}
     * already is this exchange's own earlier move too, whose answer was lost and whose read-back failed (the fallback
     * fails the order again once the store answers): taken as moved here, so the book is released once. Before, that
     * refusal released nothing.
     */
    private boolean moveOwnOrder(ClientOrderId id, OrderRecordState to) {
        try {
            if (store.moveOrder(id, to, null, null, null)) {
                return true;
            }
        } catch (StoreException failed) {
            if (!StoreRetries.committedAfterAll(failed, () -> store.order(id).filter(o -> o.state() == to).isPresent())) {
                throw failed;
            }
            LOG.info("Order {}: the move to {} was committed though its answer was lost", id, to);
            return true;
        }
        if (store.order(id).filter(o -> o.state() == to).isPresent()) {
            LOG.info("Order {}: an earlier move to {} was committed though its answer was lost", id, to);
            return true;
        }
        return false;
    }

    /**
     * Gives back this exchange's reservation where it follows an order placed before instead of sending its own: the
     * book keeps what it counts for that order, to be settled by whoever ends it ({@link Portfolio#withdraw}). Once,
     * as {@link #release}.
     */
    private void withdraw(Exchange exchange, CopyIntent intent) {
        if (exchange.getProperty(ExchangeProps.RESERVATION, Reservation.HELD, Reservation.class) != Reservation.RELEASED) {
            portfolio.withdraw(intent);
            exchange.setProperty(ExchangeProps.RESERVATION, Reservation.RELEASED);
        }
    }

    /** Releases this exchange's reservation unless it released it already: once, however often a path comes here. */
    private void release(Exchange exchange, CopyIntent intent) {
        if (exchange.getProperty(ExchangeProps.RESERVATION, Reservation.HELD, Reservation.class) != Reservation.RELEASED) {
            portfolio.release(intent);
            exchange.setProperty(ExchangeProps.RESERVATION, Reservation.RELEASED);
        }
    }

    /** Records what the venue decided: copied, or refused (a business reject: no retry, no breaker). */
    public void onResult(Exchange exchange) {
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        DetectedTrade trade = intent.source();
        ClientOrderId id = intent.clientOrderId();
        PlaceResult result = exchange.getMessage().getBody(PlaceResult.class);
        try {
            if (result instanceof PlaceResult.Accepted accepted) {
                // the moment the venue's acceptance is in hand; what follows is our own bookkeeping
                Answer answer = new Answer(intent, accepted, clock.instant());
                OrderStatus st = accepted.status();
                TradeLedger.Copied written;
                try {
                    // the order's new state and the trade's outcome in one durable write
                    written = ledger.recordCopied(trade, id, answer.to(), st.venueOrderId(), st.filledQuantity(),
                            st.avgFillPrice());
                } catch (StoreException notRecorded) {
                    written = copiedAfterAll(answer, notRecorded);
                }
                copied(answer, written);
            } else if (result instanceof PlaceResult.Rejected rejected) {
                if (rejected.reason() == Reason.EXCHANGE_DUPLICATE_ORDER) {
                    // the venue has this client order id already: an earlier attempt got through; look it up
                    store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
                    LOG.warn("Venue reports order {} (trade {}) as a duplicate; resolving it by lookup", id, trade.key());
                    return;
                }
                if (exchange.getProperty(ExchangeProps.MAYBE_TAKEN, false, Boolean.class)) {
                    // an earlier send of these same bytes may have been taken (a 5xx hid its answer), and a refusal
                    // of the resend says nothing of it: a venue that no longer lists a done order checks the resend
                    // as new, and finds the balance spent or the liquidity taken by the first. Look it up: found, the
                    // trade is copied; confirmed absent after the grace period, it fails as an unknown outcome
                    store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
                    LOG.warn("Venue refused a resend of order {} (trade {}): {} {}; an earlier send may have been "
                            + "taken, resolving it by lookup", id, trade.key(), rejected.reason(), rejected.message());
                    return;
                }
                boolean moved;
                try {
                    moved = moveOwnOrder(id, OrderRecordState.REJECTED);
                } catch (StoreException notRecorded) {
                    moved = rejectedAfterAll(new Answer(intent, rejected, clock.instant()), notRecorded);
                }
                if (moved) {
                    release(exchange, intent);
                }
                deadLetter(exchange, rejected.reason(), rejected.message());
                if (rejected.reason() == Reason.EXCHANGE_INSUFFICIENT_BALANCE) {
                    LOG.warn("Insufficient balance for {} {} {} (trade {}); not retried, breaker untouched",
                            intent.side(), intent.quantity().toPlainString(), intent.instrument(), trade.key());
                } else {
                    LOG.warn("Venue refused order {} for trade {}: {} {}", id, trade.key(), rejected.reason(), rejected.message());
                }
            } else {
                throw new IllegalStateException("unexpected place result: " + result);
            }
        } catch (StoreException notRecorded) {
            throw answerNotRecorded(intent, notRecorded);
        } finally {
            inHand.remove(id);
        }
    }

    /**
     * What follows the venue's acceptance once its write is known: the book settled if the write moved the order to its
     * end, the copy counted and told once ({@link TradeLedger#copiedRecorded}), with its latency.
     */
    private void copied(Answer answer, TradeLedger.Copied written) {
        CopyIntent intent = answer.intent();
        DetectedTrade trade = intent.source();
        OrderStatus st = ((PlaceResult.Accepted) answer.result()).status();
        boolean first;
        try {
            if (written.moved() && answer.to().isTerminal()) {
                portfolio.settle(intent, st.filledQuantity(), st.avgFillPrice());
            } else if (!written.moved()) {
                LOG.warn("Order {} (trade {}) was accepted but had moved on already; the monitor settles it",
                        intent.clientOrderId(), trade.key());
            }
        } finally {
            // the outcome is written: counted and told even if the book refused the fill
            first = ledger.copiedRecorded(trade, written);
        }
        if (first) {
            long micros = answer.latency().toNanos() / 1000;
            ledger.metrics().latency(answer.latency());
            ledger.metrics().accepted(trade, answer.at());
            reporter.copied(intent, micros);
            ledger.metrics().timeline().copied(trade, micros);
        }
    }

    /**
     * The venue accepted the order, and the write of its answer reported an error, and its read-back
     * ({@link TradeLedger#recordCopied}) found nothing written or could not read either. Read again: written (the
     * commit's answer was lost, and the store answers now), it is answered as written, exactly as if the answer had
     * come; not written, the order, SUBMITTING still, moves to UNKNOWN and the monitor looks it up. Before, a read-back
     * that failed left the order as the lost write had made it (FILLED, say) with its trade COPIED, neither counted
     * nor settled: the move to UNKNOWN is refused from there, and the book's reservation held back every refresh
     * until a restart. A store that still cannot answer holds the answer in doubt ({@link #heldInDoubt}).
     *
     * @throws OrderFailedException unless the answer was found written: the trade stays in flight, no dead letter
     */
    private TradeLedger.Copied copiedAfterAll(Answer answer, StoreException notRecorded) {
        Optional<TradeLedger.Copied> written;
        try {
            written = readBackCopied(answer);
        } catch (RuntimeException stillFailing) {
            throw heldInDoubt(answer, notRecorded, stillFailing);
        }
        return written.orElseThrow(() -> new OrderFailedException(null, "answer not recorded: "
                + Failures.rootOf(notRecorded)));
    }

    /** {@link #copiedAfterAll}'s read: the write as written, or empty after {@link #notWritten}. Throws if unreadable. */
    private Optional<TradeLedger.Copied> readBackCopied(Answer answer) {
        CopyIntent intent = answer.intent();
        Optional<TradeLedger.Copied> written = ledger.copiedAfterAll(intent.source(), intent.clientOrderId(),
                answer.to());
        if (written.isPresent()) {
            LOG.info("Order {} (trade {}): the write of the venue's answer was committed though its answer was lost",
                    intent.clientOrderId(), intent.source().key());
        } else {
            notWritten(answer);
        }
        return written;
    }

    /**
     * The venue refused the order, and the move to REJECTED reported an error that its read-back could not clear.
     * Read again: REJECTED (only this exchange moves the order it holds), the move is this exchange's, and the book is
     * released and the trade dead-lettered as for any refusal; not written, as {@link #copiedAfterAll}. Before, the
     * order stayed REJECTED with nothing released and its trade in flight until a restart.
     *
     * @return true when the refusal was found written
     * @throws OrderFailedException otherwise: the trade stays in flight, no dead letter
     */
    private boolean rejectedAfterAll(Answer answer, StoreException notRecorded) {
        try {
            if (rejectionWritten(answer)) {
                return true;
            }
        } catch (RuntimeException stillFailing) {
            throw heldInDoubt(answer, notRecorded, stillFailing);
        }
        throw new OrderFailedException(null, "answer not recorded: " + Failures.rootOf(notRecorded));
    }

    /** Whether the order is REJECTED, as the answer's write left it; if not, {@link #notWritten}. Throws if unreadable. */
    private boolean rejectionWritten(Answer answer) {
        ClientOrderId id = answer.intent().clientOrderId();
        if (store.order(id).filter(o -> o.state() == OrderRecordState.REJECTED).isPresent()) {
            LOG.info("Order {}: the move to REJECTED was committed though its answer was lost", id);
            return true;
        }
        notWritten(answer);
        return false;
    }

    /**
     * The store holds no write of the venue's answer. An order still SUBMITTING moves to UNKNOWN: it may be at the
     * venue, and the monitor looks it up (found: copied; the trade stays in flight until then). An order in another
     * state was moved by someone else, who ends it (the monitor, an order not in a terminal state). A failure here is
     * the store's and is thrown.
     */
    private void notWritten(Answer answer) {
        ClientOrderId id = answer.intent().clientOrderId();
        String tradeKey = answer.intent().source().key();
        OrderRecordState state = store.order(id).map(OrderRecord::state).orElse(null);
        if (state == OrderRecordState.SUBMITTING && store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null)) {
            LOG.warn("The venue answered order {} (trade {}), and recording its answer failed; it will be looked up, "
                    + "never resent", id, tradeKey);
        } else {
            LOG.warn("The venue answered order {} (trade {}), and recording its answer failed; the order had moved on "
                    + "already ({}), left to whoever moved it", id, tradeKey, state);
        }
    }

    /**
     * The store could not answer a read of a write whose own answer was lost: the order may be as the write left it
     * or as before. The answer is held ({@link #answersInDoubt}); the monitor leaves its order alone, as one in hand,
     * and reads it back before each pass ({@link #resolveAnswersInDoubt}). A stop before then leaves it to the next
     * start, whose recovery looks up an order left SUBMITTING and copies a trade whose order the venue accepted, on a
     * book read afresh from the venue. Never a second order, never a second settlement.
     */
    private OrderFailedException heldInDoubt(Answer answer, StoreException notRecorded, RuntimeException stillFailing) {
        ClientOrderId id = answer.intent().clientOrderId();
        notRecorded.addSuppressed(stillFailing);
        answersInDoubt.put(id, answer);
        LOG.error("The venue answered order {} (trade {}), and neither its answer's write nor a read of the store "
                + "succeeded ({}); read back before each monitoring pass", id, answer.intent().source().key(),
                Failures.rootOf(stillFailing).toString());
        return new OrderFailedException(null, "answer not recorded: " + Failures.rootOf(notRecorded));
    }

    /**
     * Reads back the venue's answers held in doubt ({@link #heldInDoubt}); the monitor calls it before each pass. An
     * answer found written is what follows any answer: an acceptance counted, told and its fill settled; a refusal
     * released and dead-lettered. One not written leaves its order to the monitor's lookup ({@link #notWritten}). One
     * the store still cannot read stays held. A refusal's dead letter whose write failed is written again at the next
     * call ({@link DeadLetterRecorder#recordAgainWhatFailed}): its order is REJECTED, so nothing else would fail its
     * trade before a restart. Never throws.
     */
    public void resolveAnswersInDoubt() {
        deadLetters.recordAgainWhatFailed();
        for (Answer answer : answersInDoubt.values()) {
            ClientOrderId id = answer.intent().clientOrderId();
            boolean rejectedWritten = false;
            Optional<TradeLedger.Copied> copiedWritten = Optional.empty();
            try {
                if (answer.result() instanceof PlaceResult.Rejected) {
                    rejectedWritten = rejectionWritten(answer);
                } else {
                    copiedWritten = readBackCopied(answer);
                }
            } catch (RuntimeException stillFailing) {
                LOG.debug("Order {}: the store still cannot say whether the venue's answer was written: {}", id,
                        stillFailing.toString());
                continue;
            }
            answersInDoubt.remove(id);
            try {
                if (answer.result() instanceof PlaceResult.Rejected rejected) {
                    if (rejectedWritten) {
                        portfolio.release(answer.intent());
                        deadLetters.record(answer.intent().source(), rejected.reason(), rejected.message());
                    }
                } else {
                    copiedWritten.ifPresent(written -> copied(answer, written));
                }
            } catch (RuntimeException e) {
                LOG.error("Recording the venue's answer to order {} (trade {}), found written, failed", id,
                        answer.intent().source().key(), e);
            }
        }
    }

    /**
     * The venue answered, and recording its answer failed (the store lost its connection under the write; an
     * acceptance's or a refusal's own write is read back first: {@link #copiedAfterAll}, {@link #rejectedAfterAll}):
     * the order may be at the venue, so only a lookup may end it. Failing it instead would release the book of what it
     * holds and send the trade to the dead letters, whose replay sends a second order. The order becomes UNKNOWN and
     * the monitor looks it up; the trade stays in flight until it does. A store that cannot take even that leaves the
     * order SUBMITTING, which the monitor takes for a dead consumer's and looks up (or the next start's recovery).
     */
    private OrderFailedException answerNotRecorded(CopyIntent intent, StoreException notRecorded) {
        ClientOrderId id = intent.clientOrderId();
        String what = String.valueOf(Failures.rootOf(notRecorded));
        try {
            if (store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null)) {
                LOG.warn("The venue answered order {} (trade {}), and recording its answer failed ({}); it will be "
                        + "looked up, never resent", id, intent.source().key(), what);
            } else {
                LOG.warn("The venue answered order {} (trade {}), and recording its answer failed ({}); the order had "
                        + "moved on already", id, intent.source().key(), what);
            }
        } catch (RuntimeException storeStillFailing) {
            LOG.error("The venue answered order {} (trade {}), and neither its answer nor an unknown outcome could be "
                    + "recorded ({}); it stays in the outbox, looked up at the next start", id, intent.source().key(),
                    Failures.rootOf(storeStillFailing).toString());
        }
        return new OrderFailedException(null, "answer not recorded: " + what);
    }

    /**
     * The circuit breaker's fallback: the breaker was open (nothing sent), the send failed (already recorded by
     * {@link #onSendFailed}), or something of ours failed around the send. Sets the dead-letter reason when the
     * trade ends in the dead letters; a trade whose order may be at the venue stays in flight for the monitor.
     */
    public void onFailure(Exchange exchange) {
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (caught == null || caught instanceof CallNotPermittedException
                || caught.getCause() instanceof CallNotPermittedException) {
            release(exchange, intent);
            deadLetter(exchange, Reason.EXCHANGE_CIRCUIT_OPEN, "circuit breaker open; order not sent");
            return;
        }
        OrderFailedException handled = Failures.handled(caught);
        if (handled != null) {
            if (handled.deadLetterReason() != null) {
                deadLetter(exchange, handled.deadLetterReason(), handled.detail());
            }
            return;
        }
        ClientOrderId id = intent.clientOrderId();
        // a request may have left: counted in hand, or marked on the exchange (a failed send's record removed it from
        // hand before its own store write failed)
        boolean maybeSent = inHand.getOrDefault(id, 0) > 0 || exchange.getProperty(ExchangeProps.SENT, false, Boolean.class);
        inHand.remove(id);
        String what = String.valueOf(Failures.rootOf(caught));
        LOG.error("Unexpected failure placing order {} for trade {}", id, intent.source().key(), caught);
        if (maybeSent) {
            if (!store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null)
                    && store.order(id).filter(o -> o.state() == OrderRecordState.FAILED).isPresent()) {
                // the send's record failed the order (nothing was taken: only a venue's "try again" fails an order
                // sent), and that write was committed though its answer was lost: released here, and dead-lettered,
                // replayable. Before, nothing released it, and its trade stayed in flight until a restart
                release(exchange, intent);
                deadLetter(exchange, Reason.UNEXPECTED_ERROR, what);
            }
            return; // else the monitor looks it up
        }
        switch (exchange.getProperty(ExchangeProps.RESERVATION, Reservation.HELD, Reservation.class)) {
            case WITH_ORDER -> failOrder(exchange, intent);
            case HELD -> {
                if (ownUnsentOrder(exchange, intent)) {
                    failOrder(exchange, intent);
                } else {
                    // no order of this exchange's carries it: the outbox has none, or one placed before, or a failed
                    // one the replay could not reopen; that order is not this exchange's to end
                    release(exchange, intent);
                }
            }
            case RELEASED -> {
                // released where this exchange left its order to what was placed before; nothing more of it is ours
            }
        }
        deadLetter(exchange, Reason.UNEXPECTED_ERROR, what);
    }

    /**
     * Whether the order in the outbox is this exchange's though no write said so: its intent's write or a replay's
     * reopening reported an error and was committed all the same. Only when this engine is alone on its store (with
     * several, another instance may have written or reopened it), for an order SUBMITTING and moved no earlier than
     * this exchange began writing (an order placed before and not ended was last moved before that).
     */
    private boolean ownUnsentOrder(Exchange exchange, CopyIntent intent) {
        Instant from = exchange.getProperty(ExchangeProps.OUTBOX_FROM, Instant.class);
        if (from == null || !ledger.aloneOnStore()) {
            return false;
        }
        Optional<OrderRecord> order = store.order(intent.clientOrderId());
        return order.isPresent() && order.get().state() == OrderRecordState.SUBMITTING
                && order.get().tradeKey().equals(intent.source().key()) && !order.get().updatedAt().isBefore(from);
    }

    private static void deadLetter(Exchange exchange, Reason reason, String detail) {
        exchange.setProperty(ExchangeProps.DEAD_LETTER_REASON, reason);
        exchange.setProperty(ExchangeProps.DEAD_LETTER_DETAIL, detail);
    }

    static OrderRecordState toRecordState(OrderState s) {
        return switch (s) {
            case OPEN -> OrderRecordState.OPEN;
            case PARTIALLY_FILLED -> OrderRecordState.PARTIALLY_FILLED;
            case FILLED -> OrderRecordState.FILLED;
            case CANCELED -> OrderRecordState.CANCELED;
            case REJECTED -> OrderRecordState.REJECTED;
            case NOT_FOUND -> OrderRecordState.UNKNOWN;
        };
    }
}

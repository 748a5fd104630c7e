package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
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
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The steps of the place-order and submit-order routes: outbox first, then the HTTP request, the classification
 * of the answer, and what follows from it. Also the circuit breaker's fallback.
 */
public final class OrderPlacer {
    private static final Logger LOG = LoggerFactory.getLogger(OrderPlacer.class);

    private final ExchangeAdapter adapter;
    private final TradeStore store;
    private final TradeLedger ledger;
    private final Portfolio portfolio;
    private final CopyReporter reporter;
    private final Clock clock;
    private final long maxRetryAfterMs;

    public OrderPlacer(ExchangeAdapter adapter, TradeStore store, TradeLedger ledger, Portfolio portfolio,
                       CopyReporter reporter, Clock clock, long maxRetryAfterMs) {
        this.adapter = adapter;
        this.store = store;
        this.ledger = ledger;
        this.portfolio = portfolio;
        this.reporter = reporter;
        this.clock = clock;
        this.maxRetryAfterMs = maxRetryAfterMs;
    }

    /**
     * Writes the intent to the outbox (SUBMITTING) before anything is sent, then prepares the request. An order
     * already in the outbox is sent again only if it never reached the venue or was refused (a replay); otherwise
     * {@link ExchangeProps#ALREADY_PLACED} is set and the order is left to the monitor.
     */
    public void prepare(Exchange exchange) {
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        String tradeKey = intent.source().key();
        if (!store.recordIntent(tradeKey, intent)) {
            Optional<OrderRecord> existing = store.order(intent.clientOrderId());
            OrderRecordState state = existing.map(OrderRecord::state).orElse(OrderRecordState.UNKNOWN);
            if (existing.isPresent() && neverSent(existing.get())) {
                // prepared (or preparing failed) but never signed and sent: a retry of preparation prepares again
                state = OrderRecordState.FAILED;
            }
            if (state != OrderRecordState.FAILED && state != OrderRecordState.REJECTED) {
                // placed before (a restart or a replay): never a second order; the trade follows that order
                exchange.setProperty(ExchangeProps.ALREADY_PLACED, true);
                portfolio.release(intent);
                if (state == OrderRecordState.SUBMITTING || state == OrderRecordState.UNKNOWN) {
                    store.updateOrder(intent.clientOrderId(), OrderRecordState.UNKNOWN, null, null, null);
                    LOG.warn("Order {} for trade {} may have been sent already; looking it up, not resending",
                            intent.clientOrderId(), tradeKey);
                } else {
                    ledger.finish(intent.source(), TradeOutcome.COPIED, null, "order already " + state);
                    LOG.warn("Order {} for trade {} is already {}; not sending it again", intent.clientOrderId(), tradeKey, state);
                }
                return;
            }
            if (existing.isPresent() && earlierOrderFound(exchange, intent, existing.get())) {
                return;
            }
            store.updateOrder(intent.clientOrderId(), OrderRecordState.SUBMITTING, null, null, null);
        }
        PreparedOrder prepared;
        try {
            prepared = adapter.prepareOrder(intent);
        } catch (OrderDeniedException denied) {
            // the venue's state already says this order cannot succeed: nothing signed, nothing sent
            store.updateOrder(intent.clientOrderId(), OrderRecordState.FAILED, null, null, null);
            portfolio.release(intent);
            ledger.finish(intent.source(), TradeOutcome.SKIPPED, denied.reason(), denied.getMessage());
            exchange.setProperty(ExchangeProps.ALREADY_PLACED, true);
            LOG.info("Not placing {} for trade {}: {} ({})", intent.clientOrderId(), tradeKey, denied.reason(),
                    denied.getMessage());
            return;
        }
        remember(exchange, intent, prepared);
    }

    /**
     * A replay of a trade whose earlier order carries a venue id known before sending (a signed order's hash): that
     * order may have reached the venue whatever we recorded (an answer lost in a 504), and signing again could make
     * a second, different order (a SELL capped to a balance that order already sold). So the venue is asked first:
     * found, the trade follows that order (looked up by the monitor, as after an unknown outcome); confirmed absent,
     * the order is signed again. A failed look-up throws a transient error: preparation is retried.
     */
    private boolean earlierOrderFound(Exchange exchange, CopyIntent intent, OrderRecord earlier) {
        if (!adapter.knowsOrderIdBeforeSending() || earlier.venueOrderId() == null) {
            return false;
        }
        Optional<OrderStatus> found;
        try {
            found = adapter.findEarlierOrder(intent, earlier.venueOrderId());
        } catch (IOException e) {
            throw new TransientVenueException("looking up the earlier order of " + intent.clientOrderId() + " failed: "
                    + e.getClass().getSimpleName(), 0, null);
        }
        if (found.isEmpty()) {
            return false;
        }
        exchange.setProperty(ExchangeProps.ALREADY_PLACED, true);
        portfolio.release(intent);
        store.updateOrder(intent.clientOrderId(), OrderRecordState.UNKNOWN, null, null, null);
        LOG.warn("Order {} for trade {} is at the venue already ({}); following it, not signing a second one",
                intent.clientOrderId(), intent.source().key(), found.get().state());
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

    private void remember(Exchange exchange, CopyIntent intent, PreparedOrder prepared) {
        if (prepared.venueOrderId() != null) {
            store.updateOrder(intent.clientOrderId(), null, prepared.venueOrderId(), null, null);
        }
        exchange.setProperty(ExchangeProps.PREPARED, prepared);
    }

    /** Sets the HTTP request on the message (first step of submit-order, so every retry starts clean). */
    public void request(Exchange exchange) {
        if (exchange.getProperty(ExchangeProps.RESIGN, false, Boolean.class)) {
            // the venue changed its order version: the order must be prepared (signed) again, and its new id
            // persisted before it is sent
            CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
            exchange.removeProperty(ExchangeProps.RESIGN);
            remember(exchange, intent, adapter.prepareOrder(intent));
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
    }

    /** Classifies the venue's answer; "try again" answers throw, with Retry-After as the next redelivery delay. */
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
        try {
            return adapter.onPlaceReply(intent, reply);
        } catch (TransientVenueException e) {
            if (e instanceof ResignRequiredException) {
                exchange.setProperty(ExchangeProps.RESIGN, true);
            }
            Duration retryAfter = e.retryAfter();
            if (retryAfter != null) {
                m.setHeader(Exchange.REDELIVERY_DELAY, Math.min(retryAfter.toMillis(), maxRetryAfterMs));
            } else {
                m.removeHeader(Exchange.REDELIVERY_DELAY);
            }
            throw e;
        }
    }

    /** Records what the venue decided: copied, or refused (a business reject: no retry, no breaker). */
    public void onResult(Exchange exchange) {
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        DetectedTrade trade = intent.source();
        PlaceResult result = exchange.getMessage().getBody(PlaceResult.class);
        if (result instanceof PlaceResult.Accepted accepted) {
            // the moment the venue's acceptance is in hand; what follows is our own bookkeeping
            Duration latency = Duration.between(trade.tsInit(), clock.instant());
            OrderStatus st = accepted.status();
            store.updateOrder(intent.clientOrderId(), toRecordState(st.state()), st.venueOrderId(),
                    st.filledQuantity(), st.avgFillPrice());
            if (st.state().isTerminal()) {
                portfolio.settle(intent, st.filledQuantity(), st.avgFillPrice());
            }
            if (ledger.finish(trade, TradeOutcome.COPIED, null, null)) {
                ledger.metrics().latency(latency);
                reporter.copied(intent, latency.toNanos() / 1000);
            }
        } else if (result instanceof PlaceResult.Rejected rejected) {
            if (rejected.reason() == Reason.EXCHANGE_DUPLICATE_ORDER) {
                // the venue has this client order id already: an earlier attempt got through; look it up
                store.updateOrder(intent.clientOrderId(), OrderRecordState.UNKNOWN, null, null, null);
                LOG.warn("Venue reports order {} (trade {}) as a duplicate; resolving it by lookup", intent.clientOrderId(), trade.key());
                return;
            }
            store.updateOrder(intent.clientOrderId(), OrderRecordState.REJECTED, null, null, null);
            portfolio.release(intent);
            deadLetter(exchange, rejected.reason(), rejected.message());
            if (rejected.reason() == Reason.EXCHANGE_INSUFFICIENT_BALANCE) {
                LOG.warn("Insufficient balance for {} {} {} (trade {}); not retried, breaker untouched",
                        intent.side(), intent.quantity().toPlainString(), intent.instrument(), trade.key());
            } else {
                LOG.warn("Venue refused order {} for trade {}: {} {}", intent.clientOrderId(), trade.key(),
                        rejected.reason(), rejected.message());
            }
        } else {
            throw new IllegalStateException("unexpected place result: " + result);
        }
    }

    /**
     * The circuit breaker's fallback: the breaker was open, retries ran out, the outcome is unknown, or something
     * unexpected failed. Unknown outcomes stay in flight for the monitor; the rest go to the dead letters.
     */
    public void onFailure(Exchange exchange) {
        CopyIntent intent = exchange.getProperty(ExchangeProps.INTENT, CopyIntent.class);
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        boolean recorded = store.order(intent.clientOrderId()).isPresent();
        if (caught == null || caught instanceof CallNotPermittedException) {
            portfolio.release(intent);
            deadLetter(exchange, Reason.EXCHANGE_CIRCUIT_OPEN, "circuit breaker open; order not sent");
            return;
        }
        String what = Failures.rootOf(caught).toString();
        if (recorded && Failures.isUnknownOutcome(caught)) {
            store.updateOrder(intent.clientOrderId(), OrderRecordState.UNKNOWN, null, null, null);
            LOG.warn("No answer for order {} (trade {}) after it was sent ({}); it will be looked up, never resent",
                    intent.clientOrderId(), intent.source().key(), what);
            return;
        }
        if (recorded) {
            store.updateOrder(intent.clientOrderId(), OrderRecordState.FAILED, null, null, null);
        }
        portfolio.release(intent);
        if (Failures.isRetryable(caught)) {
            deadLetter(exchange, Reason.EXCHANGE_RETRIES_EXHAUSTED, what);
        } else {
            LOG.error("Unexpected failure placing order {} for trade {}", intent.clientOrderId(), intent.source().key(), caught);
            deadLetter(exchange, Reason.UNEXPECTED_ERROR, what);
        }
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

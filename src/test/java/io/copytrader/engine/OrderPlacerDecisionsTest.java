package io.copytrader.engine;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.OrderRecordState;
import io.copytrader.venue.OrderDeniedException;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.PlaceResult;
import io.copytrader.venue.ResignRequiredException;
import io.copytrader.venue.TransientVenueException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decisions of {@link OrderPlacer}, one step at a time as the routes call them, without routes: given what the
 * store holds and what the venue answered, which state the order moves to, whether the book is released, whether the
 * trade is dead-lettered (and why) or left to a lookup, and what is sent. A Camel context only to make exchanges.
 */
class OrderPlacerDecisionsTest {
    static CamelContext camel;
    final Clock clock = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    final ScriptedExchange venue = new ScriptedExchange();
    InMemoryTradeStore store;
    SimpleMeterRegistry registry;
    TradeLedger ledger;
    Portfolio book;
    CircuitBreaker breaker;
    OrderPlacer placer;
    final DetectedTrade trade = Trades.buy("t-1", "0.50", "10");
    final CopyIntent intent = new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), trade.side(),
            new BigDecimal("0.51"), new BigDecimal("10"), new BigDecimal("5.10"));
    final ClientOrderId id = intent.clientOrderId();

    @BeforeAll
    static void camel() {
        camel = new DefaultCamelContext();
    }

    @AfterAll
    static void stop() throws Exception {
        camel.close();
    }

    @BeforeEach
    void placer() {
        store = new InMemoryTradeStore(clock);
        registry = new SimpleMeterRegistry();
        ledger = new TradeLedger(store, new PipelineMetrics(registry));
        book = new Portfolio();
        breaker = CircuitBreaker.of("orders", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED).slidingWindowSize(2)
                .minimumNumberOfCalls(2).failureRateThreshold(100).build());
        placer = new OrderPlacer(venue, store, ledger, book, new CopyReporter(), clock,
                new RetryPolicy(2, 100, 1000, 5000), new OrderBreaker(breaker));
        assertThat(store.admit(trade)).isTrue();
    }

    Exchange exchange() {
        Exchange e = new DefaultExchange(camel);
        e.setProperty(ExchangeProps.INTENT, intent);
        return e;
    }

    /** Another trade, admitted, and the intent to copy it. */
    CopyIntent admitted(String sourceTradeId) {
        DetectedTrade other = Trades.buy(sourceTradeId, "0.50", "10");
        store.admit(other);
        return new CopyIntent(other.clientOrderId(), other, other.instrument(), other.side(), new BigDecimal("0.51"),
                BigDecimal.TEN, new BigDecimal("5.10"));
    }

    /** prepare, sign and build the first request, as place-order and send-order do. */
    Exchange sentOnce() {
        return sentOnce(intent);
    }

    Exchange sentOnce(CopyIntent copy) {
        Exchange e = new DefaultExchange(camel);
        e.setProperty(ExchangeProps.INTENT, copy);
        placer.prepare(e);
        placer.sign(e);
        placer.request(e);
        return e;
    }

    /** The venue answered this status to the request on the exchange; the classification's failure, if any. */
    Throwable answer(Exchange e, int status) {
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        try {
            PlaceResult r = placer.classify(e);
            e.getMessage().setBody(r);
            return null;
        } catch (RuntimeException failure) {
            e.setProperty(Exchange.EXCEPTION_CAUGHT, failure);
            return failure;
        }
    }

    OrderFailedException sendFailed(Exchange e) {
        long version = book.version();
        try {
            placer.onSendFailed(e);
        } catch (OrderFailedException handled) {
            released = book.version() != version;
            return handled;
        }
        throw new AssertionError("onSendFailed must always throw");
    }

    boolean released;

    OrderRecordState state() {
        return store.order(id).orElseThrow().state();
    }

    // ---- sending and resending

    @Test
    void shouldPersistTheSignedOrderWithItsHashBeforeTheFirstSend() {
        Exchange e = sentOnce();
        assertThat(store.order(id).orElseThrow().venueOrderId()).isEqualTo(new VenueOrderId("0xhash-1"));
        assertThat(store.signedOrder(id)).contains("{\"n\":1}");
        assertThat(e.getMessage().getBody(String.class)).isEqualTo(ScriptedExchange.body("{\"n\":1}"));
        assertThat(e.getMessage().getHeader(Exchange.HTTP_URI)).isEqualTo("http://venue/order");
        assertThat(placer.isInHand(id)).isTrue();
        assertThat(venue.resent).isEmpty();
    }

    @Test
    void shouldResendThePersistedSignedOrderByteForByteAndNeverSignAgain() {
        Exchange e = sentOnce();
        String first = e.getMessage().getBody(String.class);
        answer(e, 504);
        assertThat(placer.retryAgain(e)).isTrue();
        placer.sign(e); // a redelivery does not prepare again
        placer.request(e);
        assertThat(venue.signed).isEqualTo(1);
        assertThat(venue.resent).containsExactly("{\"n\":1}");
        assertThat(e.getMessage().getBody(String.class)).isEqualTo(first);
        assertThat(e.getMessage().getHeader("X-Auth")).isEqualTo("fresh");
    }

    @Test
    void shouldNotResendFromTheStoreOnAVenueThatKeepsNoSignedOrders() {
        venue.knowsIdBeforeSending = false;
        Exchange e = sentOnce();
        answer(e, 503);
        placer.request(e);
        assertThat(venue.resent).isEmpty();
        assertThat(store.signedOrder(id)).isEmpty();
        assertThat(store.order(id).orElseThrow().venueOrderId()).isNull();
    }

    // ---- when the sends end without an answer

    @Test
    void shouldLookUpNotFailAnOrderWhoseSendsEndedInServerErrorsWhenItsHashWasPersistedFirst() {
        Exchange e = sentOnce();
        assertThat(answer(e, 504)).isInstanceOf(TransientVenueException.class);
        assertThat(e.getProperty(ExchangeProps.MAYBE_TAKEN, Boolean.class)).isTrue();
        OrderFailedException failed = sendFailed(e);
        assertThat(failed.deadLetterReason()).as("not dead-lettered: the monitor looks it up").isNull();
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(released).as("the book keeps the order: it may be at the venue").isFalse();
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
        assertThat(placer.isInHand(id)).isFalse();
    }

    @Test
    void shouldLookUpAnOrderWhenAnyEarlierSendGotAServerErrorThoughTheLastWasRateLimited() {
        Exchange e = sentOnce();
        answer(e, 502);
        placer.request(e);
        answer(e, 429);
        assertThat(sendFailed(e).deadLetterReason()).isNull();
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
    }

    @Test
    void shouldFailAnOrderOnlyRateLimitedAsRetriesExhausted() {
        Exchange e = sentOnce();
        answer(e, 429);
        assertThat(e.getProperty(ExchangeProps.MAYBE_TAKEN)).isNull();
        OrderFailedException failed = sendFailed(e);
        assertThat(failed.deadLetterReason()).isEqualTo(Reason.EXCHANGE_RETRIES_EXHAUSTED);
        assertThat(failed.detail()).startsWith("1 send(s), every one refused");
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(released).isTrue();
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    }

    @Test
    void shouldFailServerErrorsAsRetriesExhaustedOnAVenueThatDeduplicatesByClientOrderId() {
        venue.knowsIdBeforeSending = false;
        Exchange e = sentOnce();
        answer(e, 500);
        assertThat(e.getProperty(ExchangeProps.MAYBE_TAKEN)).isNull();
        assertThat(sendFailed(e).deadLetterReason()).isEqualTo(Reason.EXCHANGE_RETRIES_EXHAUSTED);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
    }

    @Test
    void shouldDeadLetterAsCircuitOpenWhenTheBreakerOpenedBeforeTheTradeCounted() {
        breaker.transitionToOpenState();
        Exchange e = sentOnce();
        answer(e, 429);
        OrderFailedException failed = sendFailed(e);
        assertThat(failed.deadLetterReason()).isEqualTo(Reason.EXCHANGE_CIRCUIT_OPEN);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(released).isTrue();
    }

    @Test
    void shouldStillLookUpAMaybeTakenOrderWhenTheBreakerIsOpen() {
        breaker.transitionToOpenState();
        Exchange e = sentOnce();
        answer(e, 504);
        assertThat(sendFailed(e).deadLetterReason()).isNull();
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(released).isFalse();
    }

    @Test
    void shouldLookUpAnOrderWhoseAnswerNeverCame() {
        Exchange e = sentOnce();
        e.setProperty(Exchange.EXCEPTION_CAUGHT, new SocketTimeoutException("Read timed out"));
        assertThat(placer.retryAgain(e)).isFalse();
        OrderFailedException failed = sendFailed(e);
        assertThat(failed.deadLetterReason()).isNull();
        assertThat(failed.detail()).startsWith("no answer");
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(released).isFalse();
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    }

    @Test
    void shouldFailUnsentWhenPreparingNeverSucceeded() {
        Exchange e = exchange();
        placer.prepare(e);
        venue.prepareFailure = new TransientVenueException("book 503", 503, null);
        assertThatThrownBy(() -> placer.sign(e)).isSameAs(venue.prepareFailure);
        e.setProperty(Exchange.EXCEPTION_CAUGHT, venue.prepareFailure);
        OrderFailedException failed = sendFailed(e);
        assertThat(failed.deadLetterReason()).isEqualTo(Reason.EXCHANGE_RETRIES_EXHAUSTED);
        assertThat(failed.detail()).startsWith("not prepared");
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(released).isTrue();
    }

    @Test
    void shouldTreatALostMarketDataAnswerAsUnsent() {
        Exchange e = exchange();
        placer.prepare(e);
        e.setProperty(Exchange.EXCEPTION_CAUGHT, new SocketTimeoutException("book read timed out"));
        // nothing was sent: a lost answer while preparing is retried like any venue failure, by attempts
        e.setProperty(ExchangeProps.PREPARE_ATTEMPTS, 1);
        assertThat(placer.retryAgain(e)).isTrue();
        e.setProperty(ExchangeProps.PREPARE_ATTEMPTS, 3);
        assertThat(placer.retryAgain(e)).isFalse();
        assertThat(sendFailed(e).deadLetterReason()).isEqualTo(Reason.EXCHANGE_RETRIES_EXHAUSTED);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
    }

    @Test
    void shouldFailItsOwnTradeForABugBeforeSendingAndLookUpAfter() {
        Exchange before = exchange();
        placer.prepare(before);
        before.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("bug"));
        OrderFailedException failed = sendFailed(before);
        assertThat(failed.deadLetterReason()).isEqualTo(Reason.UNEXPECTED_ERROR);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).as("not the venue's failure").isZero();

        CopyIntent second = admitted("t-2");
        Exchange after = sentOnce(second);
        after.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("bug"));
        assertThatThrownBy(() -> placer.onSendFailed(after)).isInstanceOfSatisfying(OrderFailedException.class,
                f -> assertThat(f.deadLetterReason()).isNull());
        assertThat(store.order(second.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.UNKNOWN);
    }

    // ---- the retry policy

    @Test
    void shouldRetryAVenueFailureWithinTheBudgetWithThePolicysDelayAndNeverOnceTheBreakerIsOpen() {
        Exchange e = sentOnce();
        answer(e, 503);
        assertThat(placer.retryAgain(e)).isTrue();
        assertThat(e.getMessage().getHeader(Exchange.REDELIVERY_DELAY, Long.class)).isEqualTo(100L);
        placer.request(e);
        answer(e, 503);
        assertThat(placer.retryAgain(e)).isTrue();
        assertThat(e.getMessage().getHeader(Exchange.REDELIVERY_DELAY, Long.class)).isEqualTo(200L);
        placer.request(e);
        answer(e, 503);
        assertThat(placer.retryAgain(e)).as("1 + 2 sends used").isFalse();

        Exchange open = exchange();
        open.setProperty(ExchangeProps.PREPARED, e.getProperty(ExchangeProps.PREPARED));
        open.setProperty(Exchange.EXCEPTION_CAUGHT, new TransientVenueException("503", 503, null));
        breaker.transitionToOpenState();
        assertThat(placer.retryAgain(open)).isFalse();
    }

    @Test
    void shouldWaitTheCapAndSendAgainWhateverRetryAfterTheVenueAsksFor() {
        Exchange e = sentOnce();
        e.getMessage().setHeader("Retry-After", "9223372036854775807");
        answer(e, 429);

        assertThat(placer.retryAgain(e)).as("rate limited: nothing taken, sent again").isTrue();
        assertThat(e.getMessage().getHeader(Exchange.REDELIVERY_DELAY, Long.class)).as("the cap").isEqualTo(5000L);
        placer.request(e);
        e.getMessage().setHeader("Retry-After", "9223372036854775807");
        answer(e, 429);
        assertThat(placer.retryAgain(e)).isTrue();
        placer.request(e);
        e.getMessage().setHeader("Retry-After", "9223372036854775807");
        answer(e, 429);
        assertThat(placer.retryAgain(e)).as("1 + 2 sends used").isFalse();
        assertThat(sendFailed(e).deadLetterReason()).isEqualTo(Reason.EXCHANGE_RETRIES_EXHAUSTED);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).as("counted once").isEqualTo(1);
    }

    @Test
    void shouldNotRetryWithoutAFailureOrForABugAfterSending() {
        Exchange e = sentOnce();
        assertThat(placer.retryAgain(e)).isFalse();
        e.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("bug"));
        assertThat(placer.retryAgain(e)).isFalse();
    }

    // ---- replays

    /** The order went out once, was never answered, and failed to the dead letters: a person replays it. */
    Exchange replayOfAFailedSignedOrder() {
        Exchange first = sentOnce();
        answer(first, 429);
        sendFailed(first);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        ledger.finish(trade, TradeOutcome.FAILED, Reason.EXCHANGE_RETRIES_EXHAUSTED, "x");
        store.reopen(trade.key());
        Exchange replay = exchange();
        placer.prepare(replay);
        return replay;
    }

    @Test
    void shouldFollowTheEarlierOrderOfAReplayWhenTheVenueHasIt() {
        Exchange e = replayOfAFailedSignedOrder();
        assertThat(e.getProperty(ExchangeProps.EARLIER_ORDER)).isEqualTo(new VenueOrderId("0xhash-1"));
        venue.earlier = Optional.of(new OrderStatus(id, new VenueOrderId("0xhash-1"), OrderState.FILLED, BigDecimal.TEN,
                new BigDecimal("0.50")));
        long version = book.version();
        placer.sign(e);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).isTrue();
        assertThat(e.getProperty(ExchangeProps.PREPARED)).isNull();
        assertThat(venue.signed).as("not signed again").isEqualTo(1);
        assertThat(venue.lookedUp).containsExactly(new VenueOrderId("0xhash-1"));
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(placer.isInHand(id)).isFalse();
        assertThat(book.version()).as("this run's reservation released").isEqualTo(version + 1);
    }

    @Test
    void shouldSignAReplayAgainOnlyOnceTheVenueConfirmsTheEarlierHashAbsent() {
        Exchange e = replayOfAFailedSignedOrder();
        venue.earlier = Optional.empty();
        placer.sign(e);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED)).isNull();
        assertThat(e.getProperty(ExchangeProps.EARLIER_ORDER)).isNull();
        assertThat(venue.signed).isEqualTo(2);
        assertThat(store.order(id).orElseThrow().venueOrderId()).isEqualTo(new VenueOrderId("0xhash-2"));
        assertThat(store.signedOrder(id)).contains("{\"n\":2}");
        assertThat(state()).isEqualTo(OrderRecordState.SUBMITTING);
        placer.request(e);
        assertThat(e.getMessage().getBody(String.class)).isEqualTo(ScriptedExchange.body("{\"n\":2}"));
    }

    @Test
    void shouldRetryAFailedLookUpOfTheEarlierOrderUnderTheRetryPolicyAndFailTheReplayUnsignedWhenItRunsOut() {
        Exchange e = replayOfAFailedSignedOrder();
        venue.lookupFailure = new IOException("connection reset");
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThatThrownBy(() -> placer.sign(e)).isInstanceOf(TransientVenueException.class)
                    .hasMessageContaining("looking up the earlier order");
            e.setProperty(Exchange.EXCEPTION_CAUGHT, new TransientVenueException("look-up", 0, null));
            assertThat(placer.retryAgain(e)).as("attempt %d", attempt).isEqualTo(attempt < 3);
        }
        assertThat(venue.lookedUp).hasSize(3);
        assertThat(venue.signed).isEqualTo(1);
        OrderFailedException failed = sendFailed(e);
        assertThat(failed.deadLetterReason()).isEqualTo(Reason.EXCHANGE_RETRIES_EXHAUSTED);
        assertThat(failed.detail()).startsWith("the earlier order could not be looked up");
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(store.order(id).orElseThrow().venueOrderId()).as("kept for the next replay")
                .isEqualTo(new VenueOrderId("0xhash-1"));
    }

    @Test
    void shouldNotAskTheVenueAboutAnEarlierOrderThatWasNeverSigned() {
        store.recordIntent(trade.key(), intent);
        store.moveOrder(id, OrderRecordState.FAILED, null, null, null);
        Exchange e = exchange();
        placer.prepare(e);
        assertThat(e.getProperty(ExchangeProps.EARLIER_ORDER)).isNull();
        placer.sign(e);
        assertThat(venue.lookedUp).isEmpty();
        assertThat(venue.signed).isEqualTo(1);
    }

    @Test
    void shouldNeverSignADifferentOrderAfterASendThatMayHaveBeenTaken() {
        Exchange e = sentOnce();
        answer(e, 504);
        placer.request(e);
        // the reply to the re-post is a version mismatch: a plain transient failure, no re-signing
        venue.placeFailure = new ResignRequiredException(2, 3);
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
        assertThatThrownBy(() -> placer.classify(e)).isInstanceOf(TransientVenueException.class)
                .isNotInstanceOf(ResignRequiredException.class).hasMessageContaining("not signed again");
        assertThat(e.getProperty(ExchangeProps.RESIGN)).isNull();
        assertThat(venue.signed).isEqualTo(1);

        // without an earlier server error, the same reply asks for the order to be signed again
        Exchange fresh = exchange();
        fresh.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
        assertThatThrownBy(() -> placer.classify(fresh)).isInstanceOf(ResignRequiredException.class);
        assertThat(fresh.getProperty(ExchangeProps.RESIGN, Boolean.class)).isTrue();
    }

    // ---- orders placed before

    @Test
    void shouldFollowAnOrderPlacedBeforeInsteadOfSendingItAgain() {
        store.recordIntent(trade.key(), intent);
        store.moveOrder(id, OrderRecordState.OPEN, new VenueOrderId("v-1"), null, null);
        Exchange e = exchange();
        long version = book.version();
        placer.prepare(e);
        assertThat(book.version()).as("this run's reservation released").isEqualTo(version + 1);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).isTrue();
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        assertThat(placer.isInHand(id)).isFalse();
    }

    @Test
    void shouldLookUpAnOrderThatMayHaveBeenSentBefore() {
        store.recordIntent(trade.key(), intent);
        store.recordSigned(id, new VenueOrderId("0xh"), "{}");
        Exchange e = exchange();
        placer.prepare(e);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).isTrue();
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(store.outcome(trade.key())).isEmpty();
    }

    @Test
    void shouldPrepareAgainAnOrderRecordedButNeverSigned() {
        store.recordIntent(trade.key(), intent);
        store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
        Exchange e = exchange();
        placer.prepare(e);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED)).isNull();
        assertThat(state()).isEqualTo(OrderRecordState.SUBMITTING);
        assertThat(placer.isInHand(id)).isTrue();
    }

    @Test
    void shouldSendNothingOnceClosedForShutdown() {
        placer.closeForShutdown();
        Exchange e = exchange();
        placer.prepare(e);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).isTrue();
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(placer.isInHand(id)).isFalse();
    }

    // ---- the intent's write, tried again after a transient store error (nothing was sent)

    LosingAnswers db;

    /** The placer over a store that can refuse writes and lose their answers, as one engine alone on its store. */
    void overALosingStore(InMemoryTradeStore real, Clock clock) {
        db = new LosingAnswers(real);
        ledger = new TradeLedger(db.store, new PipelineMetrics(registry)).resolvingLostAdmissions(true);
        placer = new OrderPlacer(venue, db.store, ledger, book, new CopyReporter(), clock,
                new RetryPolicy(2, 100, 1000, 5000), new OrderBreaker(breaker));
    }

    double storeWritesRetried() {
        return registry.get(PipelineMetrics.STORE_WRITES_RETRIED).counter().count();
    }

    @Test
    void shouldWriteTheIntentAgainAfterATransientStoreErrorAndSendTheOrder() {
        overALosingStore(store, clock);
        db.refused.add(trade.key()); // a connection dropped under the write: nothing written
        long version = book.version();
        // before: the trade failed to the dead letters (UNEXPECTED_ERROR), to be replayed by hand
        assertSentOnceAsSized(sentOnce(), version);
        assertThat(db.writes).startsWith("recordIntent " + trade.key(), "recordIntent " + trade.key());
    }

    @Test
    void shouldSendOnceAnOrderWhoseIntentWasCommittedThoughTheWritesAnswerWasLost() {
        // a venue that learns the order's id from its answer: an order without one may have been sent, as far as the
        // store can tell
        venue.knowsIdBeforeSending = false;
        overALosingStore(store, clock);
        db.lostAnswers.add(trade.key()); // committed, then the connection dropped before its answer
        long version = book.version();
        // the second attempt finds the order: this call's own first attempt wrote it, and nothing of it has left. A
        // retry that took it as placed before: UNKNOWN, looked up at the venue, not found, failed after the grace period
        assertSentOnceAsSized(sentOnce(), version);
        assertThat(venue.signed).as("prepared once").isEqualTo(1);
    }

    /** The order was written after one retry, and its one request built; the book as sized, nothing released. */
    void assertSentOnceAsSized(Exchange e, long bookVersion) {
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED)).as("sent").isNull();
        assertThat(state()).isEqualTo(OrderRecordState.SUBMITTING);
        assertThat(placer.isInHand(id)).isTrue();
        assertThat(e.getMessage().getBody(String.class)).isEqualTo(ScriptedExchange.body("{\"n\":1}"));
        assertThat(storeWritesRetried()).isEqualTo(1);
        assertThat(book.version()).as("the book as sized, nothing released").isEqualTo(bookVersion);
    }

    @Test
    void shouldLookUpAnOrderFoundAfterAFailedAttemptWhenAnotherInstanceMayHaveWrittenIt() {
        venue.knowsIdBeforeSending = false;
        overALosingStore(store, clock);
        ledger.resolvingLostAdmissions(false); // several instances on the store: another may have written and sent it
        db.lostAnswers.add(trade.key());
        Exchange e = exchange();
        placer.prepare(e);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).isTrue();
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(placer.isInHand(id)).isFalse();
    }

    @Test
    void shouldLookUpAnOrderWrittenBeforeTheFirstAttemptNeverTakeItAsItsOwn() {
        venue.knowsIdBeforeSending = false;
        io.copytrader.paper.MutableClock time = new io.copytrader.paper.MutableClock(clock.instant());
        InMemoryTradeStore earlier = new InMemoryTradeStore(time);
        earlier.admit(trade);
        earlier.recordIntent(trade.key(), intent); // an earlier placing of the trade wrote it (and may have sent it)
        time.advance(java.time.Duration.ofMillis(1));
        overALosingStore(earlier, time);
        db.refused.add(trade.key());
        Exchange e = exchange();
        placer.prepare(e);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).isTrue();
        assertThat(earlier.order(id).orElseThrow().state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(placer.isInHand(id)).isFalse();
    }

    @Test
    void shouldNotWriteTheIntentAgainAfterAnErrorThatIsNotTransient() {
        overALosingStore(store, clock);
        db.brokenFor.add(trade.key());
        Exchange e = exchange();
        assertThatThrownBy(() -> placer.prepare(e)).isInstanceOf(io.copytrader.store.StoreException.class);
        assertThat(db.writes).containsExactly("recordIntent " + trade.key());
        assertThat(storeWritesRetried()).isZero();
    }

    @Test
    void shouldFailTheTradeToTheDeadLettersWhenEveryAttemptAtTheIntentFailed() {
        overALosingStore(store, clock);
        db.refused.addAll(List.of(trade.key(), trade.key(), trade.key()));
        Exchange e = exchange();
        Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() -> placer.prepare(e));
        assertThat(failed).isInstanceOf(io.copytrader.store.StoreException.class);
        assertThat(failed.getSuppressed()).as("the earlier attempts' errors").hasSize(1);
        assertThat(db.writes).hasSize(3);
        assertThat(storeWritesRetried()).isEqualTo(2);
        e.setProperty(Exchange.EXCEPTION_CAUGHT, failed); // the breaker's fallback, as before: replayable
        placer.onFailure(e);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.UNEXPECTED_ERROR);
        assertThat(store.order(id)).isEmpty();
    }

    @Test
    void shouldNotWriteTheIntentAgainOnceTheEngineIsStopping() {
        overALosingStore(store, clock);
        ledger.storeRetries().stoppingWhen(() -> true);
        db.refused.add(trade.key());
        assertThatThrownBy(() -> placer.prepare(exchange())).isInstanceOf(io.copytrader.store.StoreException.class);
        assertThat(db.writes).hasSize(1);
        assertThat(storeWritesRetried()).isZero();
    }

    @Test
    void shouldWriteTheSignedOrderAgainAfterATransientStoreErrorAndSendThoseBytes() {
        overALosingStore(store, clock);
        db.lostAnswers.add(id.value()); // the signed order's write committed, its answer lost
        Exchange e = sentOnce();
        // before: the signing failed the trade, the order FAILED with its hash, and a replay asked the venue first
        assertThat(venue.signed).as("signed once").isEqualTo(1);
        assertThat(store.signedOrder(id)).contains("{\"n\":1}");
        assertThat(store.order(id).orElseThrow().venueOrderId()).isEqualTo(new VenueOrderId("0xhash-1"));
        assertThat(e.getMessage().getBody(String.class)).isEqualTo(ScriptedExchange.body("{\"n\":1}"));
        assertThat(db.writes).containsExactly("recordIntent " + trade.key(), "recordSigned " + id.value(),
                "recordSigned " + id.value());
        assertThat(storeWritesRetried()).isEqualTo(1);
    }

    @Test
    void shouldFailATradeWhoseSignedOrderTheStoreNeverTookAsTheStoresFailureNotTheVenues() {
        overALosingStore(store, clock);
        db.refused.addAll(List.of(id.value(), id.value(), id.value())); // every attempt: the connection dropped
        Exchange e = exchange();
        placer.prepare(e);
        Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() -> placer.sign(e));
        assertThat(failed).isInstanceOf(io.copytrader.store.StoreException.class);
        e.setProperty(Exchange.EXCEPTION_CAUGHT, failed);
        // before: its I/O error inside read as the venue's: signed again under the venue's retry policy, then failed
        // as EXCHANGE_RETRIES_EXHAUSTED and counted toward the breaker
        assertThat(placer.retryAgain(e)).as("not the venue's retry policy's to try again").isFalse();
        OrderFailedException handled = sendFailed(e);
        assertThat(handled.deadLetterReason()).isEqualTo(Reason.UNEXPECTED_ERROR);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).as("not counted toward the breaker").isZero();
        assertThat(state()).as("nothing was sent").isEqualTo(OrderRecordState.FAILED);
        assertThat(venue.signed).isEqualTo(1);
    }

    // ---- the book's reservation when a store write fails: released once where nothing was sent, never where something may have been

    static final BigDecimal CASH = new BigDecimal("100");

    /** The book holds this much cash and this run's reservation for the trade, as sizing left it. */
    void reserved() {
        book.reconcile(CASH, List.of(), List.of(), java.util.Map.of());
        assertThat(book.planAndReserve(trade, SizingTest.rules("1", "10", "0.8", "0.02", "1")).isSkip()).isFalse();
        assertThat(book.outstanding()).containsExactly(id);
    }

    /** This run's reservation was released, once: the cash is back as it was, and the book can be refreshed again. */
    void assertReleasedOnce() {
        assertThat(book.outstanding()).as("nothing reserved is left outstanding").isEmpty();
        assertThat(book.cash()).as("released once: not twice").isEqualByComparingTo(CASH);
        assertThat(book.holding(trade.instrument()).quantity()).isZero();
        assertThat(book.reconcileIfUnchanged(book.version(), CASH, List.of(), List.of(), java.util.Map.of()))
                .as("the book's refresh is not held back").isTrue();
    }

    /** Runs a step of place-order; a failure goes to the breaker's fallback, as the route does. */
    void orFallback(Exchange e, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException failed) {
            e.setProperty(Exchange.EXCEPTION_CAUGHT, failed);
            placer.onFailure(e);
        }
    }

    /** Runs send-order's first step; a failure goes through its retry decision, its record, and the fallback. */
    void signOrFallback(Exchange e) {
        try {
            placer.sign(e);
        } catch (RuntimeException failed) {
            e.setProperty(Exchange.EXCEPTION_CAUGHT, failed);
            assertThat(placer.retryAgain(e)).as("a store failure: not the venue's retry policy's").isFalse();
            orFallback(e, () -> placer.onSendFailed(e));
        }
    }

    /** A first run's order failed after it was signed; its trade was dead-lettered and a person replays it. */
    void failedOnceThenReplayed() {
        Exchange first = sentOnce();
        answer(first, 429);
        sendFailed(first);
        ledger.finish(trade, TradeOutcome.FAILED, Reason.EXCHANGE_RETRIES_EXHAUSTED, "x");
        store.reopen(trade.key());
        overALosingStore(store, clock);
        reserved();
    }

    @Test
    void shouldReleaseTheReservationOfAReplayWhoseOrderTheStoreCouldNotReopen() {
        failedOnceThenReplayed();
        db.refused.add(LosingAnswers.move(id, OrderRecordState.SUBMITTING)); // dropped before the commit
        Exchange replay = exchange();
        orFallback(replay, () -> placer.prepare(replay));
        // before: the fallback's move to FAILED found the order FAILED already, so nothing released this run's
        // reservation, and the book was never refreshed again until a restart
        assertThat(replay.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.UNEXPECTED_ERROR);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(venue.signed).as("nothing signed or sent for the replay").isEqualTo(1);
        assertReleasedOnce();
    }

    @Test
    void shouldFailAndReleaseOnceAReplayWhoseReopeningWasCommittedThoughItsAnswerWasLost() {
        failedOnceThenReplayed();
        db.lostAnswers.add(LosingAnswers.move(id, OrderRecordState.SUBMITTING));
        Exchange replay = exchange();
        orFallback(replay, () -> placer.prepare(replay));
        assertThat(replay.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.UNEXPECTED_ERROR);
        assertThat(state()).as("this replay's own order, never sent: failed, replayable").isEqualTo(OrderRecordState.FAILED);
        assertReleasedOnce();
    }

    @Test
    void shouldNeitherReleaseTwiceNorFailAnOrderPlacedBeforeWhenItsLookUpCouldNotBeRecorded() {
        store.recordIntent(trade.key(), intent);
        store.recordSigned(id, new VenueOrderId("0xh"), "{}"); // a previous run's order: it may be at the venue
        overALosingStore(store, clock);
        reserved();
        db.refused.add(LosingAnswers.move(id, OrderRecordState.UNKNOWN));
        Exchange e = exchange();
        orFallback(e, () -> placer.prepare(e));
        // before: the fallback failed that order (a replay would send a second one) and released the book again
        assertThat(state()).as("left to the monitor's look-up, never failed").isEqualTo(OrderRecordState.SUBMITTING);
        assertReleasedOnce();
    }

    @Test
    void shouldNeitherReleaseTwiceNorFailAReplaysEarlierOrderFoundAtTheVenueWhenItsLookUpCouldNotBeRecorded() {
        failedOnceThenReplayed();
        Exchange replay = exchange();
        placer.prepare(replay);
        venue.earlier = Optional.of(new OrderStatus(id, new VenueOrderId("0xhash-1"), OrderState.FILLED, BigDecimal.TEN,
                new BigDecimal("0.50")));
        db.refused.add(LosingAnswers.move(id, OrderRecordState.UNKNOWN));
        signOrFallback(replay);
        // before: the failed write went to the send's failure record, which failed the order found at the venue and
        // released the book a second time
        assertThat(replay.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).isTrue();
        assertThat(replay.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isNull();
        assertThat(state()).as("left to the monitor's look-up, never failed").isEqualTo(OrderRecordState.SUBMITTING);
        assertThat(venue.signed).isEqualTo(1);
        assertReleasedOnce();
    }

    /**
     * An order failed unsent (the engine stopping), its move to FAILED committed though its answer was lost; and its
     * read-back failing too. Before: the fallback found the order FAILED already and released nothing; with the
     * read-back failing, its move to FAILED was refused (FAILED already), and nothing released the book.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldReleaseOnceAnOrderFailedUnsentWhoseFailureWasCommittedThoughItsAnswerWasLost(boolean readBackFails) {
        overALosingStore(store, clock);
        reserved();
        placer.closeForShutdown();
        db.lostAnswers.add(LosingAnswers.move(id, OrderRecordState.FAILED));
        if (readBackFails) {
            db.unreadable.add(LosingAnswers.read("order", id.value()));
        }
        Exchange e = exchange();
        orFallback(e, () -> placer.prepare(e));
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(placer.isInHand(id)).isFalse();
        assertReleasedOnce();
    }

    @Test
    void shouldReleaseAndDeadLetterOnceASentOrderFailedWhoseFailureWasCommittedWhenItsReadBackFailedToo() {
        overALosingStore(store, clock);
        reserved();
        Exchange e = sentOnce();
        answer(e, 429); // rate limited: nothing taken
        db.lostAnswers.add(LosingAnswers.move(id, OrderRecordState.FAILED));
        db.unreadable.add(LosingAnswers.read("order", id.value()));
        orFallback(e, () -> placer.onSendFailed(e));
        // before: the fallback's move to UNKNOWN was refused (FAILED already): nothing released, no dead letter, and
        // the trade in flight until a restart
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).as("replayable").isEqualTo(Reason.UNEXPECTED_ERROR);
        assertReleasedOnce();
    }

    @Test
    void shouldLookUpNotFailAnOrderThatMayHaveBeenTakenWhenItsUnknownOutcomeCouldNotBeRecorded() {
        overALosingStore(store, clock);
        reserved();
        Exchange e = sentOnce();
        answer(e, 504);
        BigDecimal reservedCash = book.cash();
        db.refused.add(LosingAnswers.move(id, OrderRecordState.UNKNOWN));
        orFallback(e, () -> placer.onSendFailed(e));
        // before: the send's record took the order out of hand before its write failed, so the fallback took it as
        // never sent: failed (a replay would send it again) and released while it may be at the venue
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isNull();
        assertThat(book.outstanding()).as("the book keeps the order").containsExactly(id);
        assertThat(book.cash()).isEqualByComparingTo(reservedCash);
    }

    /**
     * A refusal (400) answered over a losing store: its move to REJECTED commits and the write's answer is lost, and
     * the order's next {@code unreadableReads} read-backs fail; the answer is then handled.
     */
    private Exchange refusalWithItsMoveLost(int unreadableReads) {
        overALosingStore(store, clock);
        reserved();
        Exchange e = sentOnce();
        venue.placeResult = new PlaceResult.Rejected(Reason.EXCHANGE_INVALID_ORDER, "tick size");
        answer(e, 400);
        db.lostAnswers.add(LosingAnswers.move(id, OrderRecordState.REJECTED));
        for (int i = 0; i < unreadableReads; i++) {
            db.unreadable.add(LosingAnswers.read("order", id.value()));
        }
        orFallback(e, () -> placer.onResult(e));
        return e;
    }

    @Test
    void shouldReleaseOnceARefusedOrderWhoseRefusalWasCommittedThoughItsAnswerWasLost() {
        Exchange e = refusalWithItsMoveLost(0);
        // before: taken as not recorded, its move to UNKNOWN refused (REJECTED already), and nothing released
        assertThat(state()).isEqualTo(OrderRecordState.REJECTED);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.EXCHANGE_INVALID_ORDER);
        assertReleasedOnce();
    }

    // ---- the venue's answer whose write was committed though its answer was lost, while the store cannot be read

    final List<String> told = new ArrayList<>();
    final DetectedTrade follower = Trades.buy("t-1b", "0.50", "10");

    /**
     * Over a store that loses answers, the book holding this run's reservation: the order sent, the venue's fill of it
     * in hand, and the trade leading an aggregate of two fills.
     */
    Exchange filledOverALosingStore() {
        overALosingStore(store, clock);
        reserved();
        ledger.outcomeListener((t, outcome, reason) -> told.add(t.key() + " " + outcome));
        store.admit(follower);
        ledger.aggregate(trade, List.of(follower));
        Exchange e = sentOnce();
        venue.placeResult = new PlaceResult.Accepted(new OrderStatus(id, new VenueOrderId("0xhash-1"), OrderState.FILLED,
                BigDecimal.TEN, new BigDecimal("0.50")));
        answer(e, 200);
        return e;
    }

    /** As if the venue's answer had been recorded at once: copied and counted once, the book settled once with the fill. */
    void assertCopiedAndSettledOnce() {
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        assertThat(told).as("counted and told once, the aggregate's fill with it")
                .containsExactlyInAnyOrder(trade.key() + " COPIED", follower.key() + " COPIED");
        assertThat(registry.get(PipelineMetrics.TRADE_LATENCY).timer().count()).isEqualTo(1);
        assertThat(book.outstanding()).isEmpty();
        assertThat(book.cash()).as("settled once, at the fill's price").isEqualByComparingTo("95.00");
        assertThat(book.holding(trade.instrument()).sellable()).isEqualByComparingTo("10");
        assertThat(book.holding(trade.instrument()).pendingBuy()).isZero();
        assertThat(placer.isInHand(id)).isFalse();
    }

    @Test
    void shouldCountAndSettleAnAcceptanceWhoseWriteWasCommittedWhenItsFirstReadBackFailed() {
        Exchange e = filledOverALosingStore();
        db.lostAnswers.add(trade.key()); // the order FILLED and the trade COPIED, committed; the answer lost
        db.unreadable.add(LosingAnswers.read("outcome", trade.key())); // the store still down for the read-back

        placer.onResult(e);

        // before: the move to UNKNOWN was refused (FILLED already), so nothing settled the book and nothing counted the
        // copy; the reservation held back every refresh of the book until a restart
        assertCopiedAndSettledOnce();
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isNull();
    }

    /** The monitor over the same store as the placer, reading back the answers the placer holds first, as shipped. */
    OrderMonitor monitorOverTheLosingStore() {
        return new OrderMonitor(venue, call -> new io.copytrader.venue.HttpReply(200, java.util.Map.of(), "{}"),
                db.store, ledger, book, new DeadLetterRecorder(ledger), clock, java.time.Duration.ofSeconds(10),
                java.time.Duration.ofSeconds(30), placer::isInHand, java.time.Duration.ofHours(1),
                java.time.Duration.ofDays(365_000)).readingBackFirst(placer::resolveAnswersInDoubt);
    }

    @Test
    void shouldHoldAnAcceptanceTheStoreCannotReadBackAndCountAndSettleItOnceAtTheMonitorsPassOnceItCan() {
        Exchange e = filledOverALosingStore();
        OrderMonitor monitor = monitorOverTheLosingStore();
        db.lostAnswers.add(trade.key());
        // the read-back and the placer's own read fail; so do the monitor's first pass's
        db.unreadable.addAll(List.of(LosingAnswers.read("outcome", trade.key()), LosingAnswers.read("outcome", trade.key()),
                LosingAnswers.read("outcome", trade.key())));

        OrderFailedException failed = org.assertj.core.api.Assertions.catchThrowableOfType(() -> placer.onResult(e),
                OrderFailedException.class);
        assertThat(failed.deadLetterReason()).as("in flight, never failed: the order is at the venue").isNull();
        assertThat(placer.isInHand(id)).as("held: the monitor leaves it alone").isTrue();
        assertThat(book.outstanding()).as("nothing settled while the store cannot say").containsExactly(id);
        assertThat(told).isEmpty();

        monitor.run();
        assertThat(placer.isInHand(id)).as("still unreadable: still held").isTrue();
        assertThat(book.outstanding()).containsExactly(id);

        monitor.run();
        assertCopiedAndSettledOnce();
        monitor.run();
        assertCopiedAndSettledOnce();
        assertThat(venue.signed).as("one order").isEqualTo(1);
    }

    @Test
    void shouldLookUpAnOrderWhoseAcceptanceWasNotWrittenWhenTheStoreCouldNotSaySoAtFirst() {
        Exchange e = filledOverALosingStore();
        OrderMonitor monitor = monitorOverTheLosingStore();
        db.refused.add(trade.key()); // the connection dropped before the commit: nothing written
        db.unreadable.addAll(List.of(LosingAnswers.read("outcome", trade.key()), LosingAnswers.read("outcome", trade.key())));

        org.assertj.core.api.Assertions.catchThrowableOfType(() -> placer.onResult(e), OrderFailedException.class);
        assertThat(state()).isEqualTo(OrderRecordState.SUBMITTING);
        assertThat(placer.isInHand(id)).isTrue();

        // the store answers: not written, so the order may be at the venue; looked up, found filled
        venue.lookupStatus = new OrderStatus(id, new VenueOrderId("0xhash-1"), OrderState.FILLED, BigDecimal.TEN,
                new BigDecimal("0.50"));
        monitor.run();
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        assertThat(book.outstanding()).isEmpty();
        assertThat(book.cash()).as("settled once, by the monitor").isEqualByComparingTo("95.00");
        monitor.run();
        assertThat(book.cash()).isEqualByComparingTo("95.00");
        assertThat(told).as("counted once").containsExactlyInAnyOrder(trade.key() + " COPIED", follower.key() + " COPIED");
        assertThat(venue.signed).as("never sent again").isEqualTo(1);
    }

    @Test
    void shouldReleaseAndDeadLetterARefusalWhoseMoveWasCommittedWhenItsFirstReadBackFailed() {
        Exchange e = refusalWithItsMoveLost(1);
        // before: taken as not recorded, its move to UNKNOWN refused (REJECTED already); nothing released, the trade
        // in flight until a restart
        assertThat(state()).isEqualTo(OrderRecordState.REJECTED);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.EXCHANGE_INVALID_ORDER);
        assertReleasedOnce();
    }

    @Test
    void shouldHoldARefusalTheStoreCannotReadBackThenReleaseAndDeadLetterItOnce() {
        Exchange e = refusalWithItsMoveLost(2);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).as("not yet: the store cannot say").isNull();
        assertThat(placer.isInHand(id)).isTrue();
        assertThat(book.outstanding()).containsExactly(id);

        placer.resolveAnswersInDoubt();
        placer.resolveAnswersInDoubt();
        assertThat(store.deadLetters()).singleElement()
                .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.EXCHANGE_INVALID_ORDER));
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.FAILED);
        assertThat(placer.isInHand(id)).isFalse();
        assertReleasedOnce();
    }

    @Test
    void shouldDeadLetterOnceAtTheNextCallARefusalFoundWrittenWhoseLetterCouldNotBeWritten() {
        Exchange e = refusalWithItsMoveLost(2);
        assertThat(placer.isInHand(id)).isTrue();

        db.refused.add(trade.key()); // found written; then the trade's FAILED: the connection dropped under it
        placer.resolveAnswersInDoubt();
        assertThat(placer.isInHand(id)).isFalse();
        assertThat(store.outcome(trade.key())).isEmpty();
        assertReleasedOnce();

        // before: the order was REJECTED and the answer no longer held: nothing failed the trade until a restart
        placer.resolveAnswersInDoubt();
        placer.resolveAnswersInDoubt();
        assertThat(store.deadLetters()).singleElement()
                .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.EXCHANGE_INVALID_ORDER));
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.FAILED);
        assertThat(registry.find(PipelineMetrics.TRADES_FAILED).counters().stream().mapToDouble(c -> c.count()).sum()).as("counted once").isEqualTo(1);
        assertReleasedOnce();
    }

    // ---- the venue's answer

    @Test
    void shouldSendOnlyTheRequestsOwnHeadersAndReadTheAnswersHeadersWithoutCamels() {
        Exchange e = sentOnce();
        // the first send's answer left its headers on the message: a 429 asking for 2 s
        e.getMessage().setHeader("Retry-After", "2");
        e.getMessage().setHeader("Content-Length", "31");
        e.getMessage().setHeader("CamelHttpResponseText", "Too Many Requests");
        Throwable failure = answer(e, 429);
        assertThat(failure).isInstanceOf(io.copytrader.venue.TransientVenueException.class);
        assertThat(((io.copytrader.venue.TransientVenueException) failure).retryAfter())
                .as("the answer's Retry-After, read case-insensitively").isEqualTo(java.time.Duration.ofSeconds(2));

        placer.request(e); // the resend
        assertThat(e.getMessage().getHeaders()).as("none of the last answer's headers is sent again")
                .containsOnlyKeys(Exchange.HTTP_METHOD, Exchange.HTTP_URI, "X-Auth");
        assertThat(venue.resent).hasSize(1);
    }

    @Test
    void shouldLeaveAnAcceptedOrderToALookupWhenItsAnswerCouldNotBeRecorded() {
        // the same engine over a store whose write of the venue's answer fails (its connection dropped under it)
        LosingAnswers db = new LosingAnswers(store);
        placer = new OrderPlacer(venue, db.store, new TradeLedger(db.store, new PipelineMetrics(registry)), book,
                new CopyReporter(), clock, new RetryPolicy(2, 100, 1000, 5000), new OrderBreaker(breaker));
        Exchange e = sentOnce();
        venue.placeResult = new PlaceResult.Accepted(new OrderStatus(id, new VenueOrderId("0xhash-1"), OrderState.FILLED,
                BigDecimal.TEN, new BigDecimal("0.50")));
        answer(e, 200);
        long version = book.version();
        db.refused.add(trade.key());

        OrderFailedException failed = org.assertj.core.api.Assertions.catchThrowableOfType(() -> placer.onResult(e),
                OrderFailedException.class);
        // not failed: the order may be at the venue (it is); the monitor looks it up, the trade waits in flight
        assertThat(failed.deadLetterReason()).isNull();
        assertThat(failed.detail()).startsWith("answer not recorded: ");
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(store.outcome(trade.key())).isEmpty();
        assertThat(book.version()).as("the book keeps the order").isEqualTo(version);
        assertThat(placer.isInHand(id)).isFalse();
        e.setProperty(Exchange.EXCEPTION_CAUGHT, failed); // the breaker's fallback: nothing for the dead letters
        placer.onFailure(e);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isNull();
    }

    @Test
    void shouldCopyTheTradeAndEndTheOrderOnAFill() {
        Exchange e = sentOnce();
        venue.placeResult = new PlaceResult.Accepted(new OrderStatus(id, new VenueOrderId("0xhash-1"), OrderState.FILLED,
                BigDecimal.TEN, new BigDecimal("0.50")));
        answer(e, 200);
        long version = book.version();
        placer.onResult(e);
        assertThat(book.version()).as("settled once").isEqualTo(version + 1);
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(store.order(id).orElseThrow().filledQuantity()).isEqualByComparingTo("10");
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        assertThat(placer.isInHand(id)).isFalse();
        // the copy's latency (detection to acceptance) and its lag from the target's fill, once each
        io.micrometer.core.instrument.Timer latency = registry.get(PipelineMetrics.TRADE_LATENCY).timer();
        assertThat(latency.count()).isEqualTo(1);
        assertThat(latency.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
                .isEqualTo(java.time.Duration.between(trade.tsInit(), clock.instant()).toNanos());
        assertThat(registry.get(PipelineMetrics.LAG_ACCEPTED).timer().count()).isEqualTo(1);

        placer.onResult(e); // the same answer again: the outcome is not the first, nothing more is counted
        assertThat(latency.count()).isEqualTo(1);
        assertThat(registry.get(PipelineMetrics.LAG_ACCEPTED).timer().count()).isEqualTo(1);
        assertThat(book.version()).as("not settled twice").isEqualTo(version + 1);
    }

    @Test
    void shouldCountTheCopyOnceItsOutcomeIsWrittenEvenWhenTheBookRefusesTheFill() {
        DetectedTrade sold = Trades.sell("t-9", "0.50", "10");
        store.admit(sold);
        CopyIntent sell = new CopyIntent(sold.clientOrderId(), sold, sold.instrument(), Side.SELL, new BigDecimal("0.49"),
                BigDecimal.TEN, new BigDecimal("4.90"));
        List<TradeOutcome> told = new ArrayList<>();
        ledger.outcomeListener((t, outcome, reason) -> told.add(outcome));
        Exchange e = sentOnce(sell);
        // the venue reports more sold than the order signed: the book refuses it
        venue.placeResult = new PlaceResult.Accepted(new OrderStatus(sell.clientOrderId(), new VenueOrderId("0xhash-9"),
                OrderState.FILLED, new BigDecimal("12"), new BigDecimal("0.49")));
        answer(e, 200);

        assertThatThrownBy(() -> placer.onResult(e)).isInstanceOf(IllegalStateException.class).hasMessageContaining("exceeds");
        assertThat(store.order(sell.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(store.outcome(sold.key())).contains(TradeOutcome.COPIED);
        assertThat(told).as("counted and told once, as any copy").containsExactly(TradeOutcome.COPIED);
        assertThat(placer.isInHand(sell.clientOrderId())).isFalse();
    }

    @Test
    void shouldLookUpADuplicateAndDeadLetterABusinessReject() {
        Exchange e = sentOnce();
        venue.placeResult = new PlaceResult.Rejected(Reason.EXCHANGE_DUPLICATE_ORDER, "Duplicated");
        answer(e, 400);
        placer.onResult(e);
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isNull();
        assertThat(store.outcome(trade.key())).isEmpty();

        CopyIntent second = admitted("t-3");
        Exchange refused = sentOnce(second);
        venue.placeResult = new PlaceResult.Rejected(Reason.EXCHANGE_INSUFFICIENT_BALANCE, "not enough balance");
        answer(refused, 400);
        long version = book.version();
        placer.onResult(refused);
        assertThat(store.order(second.clientOrderId()).orElseThrow().state()).isEqualTo(OrderRecordState.REJECTED);
        assertThat(refused.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.EXCHANGE_INSUFFICIENT_BALANCE);
        assertThat(refused.getProperty(ExchangeProps.DEAD_LETTER_DETAIL)).isEqualTo("not enough balance");
        assertThat(book.version()).isEqualTo(version + 1);
    }

    // ---- more of sending

    @Test
    void shouldBuildTheRequestFromThePreparedCall() {
        Exchange e = sentOnce();
        assertThat(e.getMessage().getHeader(Exchange.HTTP_METHOD)).isEqualTo(HttpMethods.POST);
        assertThat(e.getMessage().getHeader("X-Auth")).isEqualTo("a1");
    }

    @Test
    void shouldPersistAVenueIdKnownBeforeSendingEvenWithoutASignedForm() {
        venue.keepsSignedOrder = false;
        sentOnce();
        assertThat(store.order(id).orElseThrow().venueOrderId()).isEqualTo(new VenueOrderId("0xhash-1"));
        assertThat(store.signedOrder(id)).isEmpty();
    }

    @Test
    void shouldTakeAnyServerErrorAsMaybeTaken() {
        Exchange e = sentOnce();
        answer(e, 500);
        assertThat(e.getProperty(ExchangeProps.MAYBE_TAKEN, Boolean.class)).isTrue();
    }

    @Test
    void shouldSignAgainAndPersistTheNewHashWhenTheVenueChangedItsOrderVersion() {
        Exchange e = sentOnce();
        venue.placeFailure = new ResignRequiredException(2, 3);
        assertThat(answer(e, 400)).isInstanceOf(ResignRequiredException.class);
        assertThat(e.getProperty(ExchangeProps.RESIGN, Boolean.class)).isTrue();
        placer.request(e);
        assertThat(e.getProperty(ExchangeProps.RESIGN)).isNull();
        assertThat(venue.signed).isEqualTo(2);
        assertThat(venue.resent).isEmpty();
        assertThat(store.order(id).orElseThrow().venueOrderId()).isEqualTo(new VenueOrderId("0xhash-2"));
        assertThat(store.signedOrder(id)).contains("{\"n\":2}");
        assertThat(e.getMessage().getBody(String.class)).isEqualTo(ScriptedExchange.body("{\"n\":2}"));
    }

    @Test
    void shouldSkipATradeWhoseFillAChainReorgRemovedWithoutSendingIt() {
        ledger.retract(trade.key());
        Exchange e = exchange();
        placer.prepare(e);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).isTrue();
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.SKIPPED);
        assertThat(placer.isInHand(id)).isFalse();
    }

    @Test
    void shouldSendNothingForATradeAnotherInstanceExpiredBeforeItsOrderWasWritten() {
        // another instance's orphan sweep ended the trade while this one was sizing it past the age limit
        store.finishIfNoOrder(trade.key(), id, TradeOutcome.EXPIRED, Reason.RESTART_EXPIRED, "swept");
        ledger.claim(trade);
        Exchange e = exchange();
        long version = book.version();
        placer.prepare(e);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).isTrue();
        assertThat(store.order(id)).as("no order written").isEmpty();
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.EXPIRED);
        assertThat(book.version()).as("its reservation released").isEqualTo(version + 1);
        assertThat(placer.isInHand(id)).isFalse();
        assertThat(venue.signed).isZero();
        assertThat(ledger.claim(trade)).as("no longer in this process's hands").isTrue();
    }

    @Test
    void shouldSkipAnOrderTheVenuesStateDeniesWithoutSigningIt() {
        venue.prepareFailure = new OrderDeniedException(Reason.RISK_NOTHING_TO_SELL, "we hold 0 shares");
        Exchange e = exchange();
        placer.prepare(e);
        long version = book.version();
        placer.sign(e);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).isTrue();
        assertThat(e.getProperty(ExchangeProps.PREPARED)).isNull();
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.SKIPPED);
        assertThat(book.version()).as("released").isEqualTo(version + 1);
        assertThat(placer.isInHand(id)).isFalse();
    }

    @Test
    void shouldRecordTheLatencyOnceAndNotSettleAnOrderThatMovedOnAlready() {
        Exchange e = sentOnce();
        store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
        store.moveOrder(id, OrderRecordState.FAILED, null, null, null);
        venue.placeResult = new PlaceResult.Accepted(new OrderStatus(id, new VenueOrderId("0xhash-1"), OrderState.FILLED,
                BigDecimal.TEN, new BigDecimal("0.50")));
        answer(e, 200);
        long version = book.version();
        placer.onResult(e);
        assertThat(book.version()).as("whoever moved it settles it").isEqualTo(version);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
        var latency = ledger.metrics().registry().find(PipelineMetrics.TRADE_LATENCY).timer();
        assertThat(latency.count()).isEqualTo(1);
        assertThat(latency.totalTime(java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo(java.time.Duration.between(trade.tsInit(), clock.instant()).toSeconds());
        placer.onResult(e);
        assertThat(latency.count()).as("copied once").isEqualTo(1);
    }

    // ---- the breaker's fallback

    @Test
    void shouldDeadLetterAsCircuitOpenWhenTheBreakerRefusedTheCall() {
        for (Throwable refused : new Throwable[]{null, CallNotPermittedException.createCallNotPermittedException(breaker),
                new IllegalStateException(CallNotPermittedException.createCallNotPermittedException(breaker))}) {
            Exchange e = exchange();
            e.setProperty(Exchange.EXCEPTION_CAUGHT, refused);
            long version = book.version();
            placer.onFailure(e);
            assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.EXCHANGE_CIRCUIT_OPEN);
            assertThat(book.version()).isEqualTo(version + 1);
        }
    }

    @Test
    void shouldPassOnWhatTheSendFailureDecidedAndNothingMore() {
        Exchange failed = exchange();
        failed.setProperty(Exchange.EXCEPTION_CAUGHT,
                new IllegalStateException(new OrderFailedException(Reason.EXCHANGE_RETRIES_EXHAUSTED, "4 sends")));
        long version = book.version();
        placer.onFailure(failed);
        assertThat(failed.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.EXCHANGE_RETRIES_EXHAUSTED);
        assertThat(failed.getProperty(ExchangeProps.DEAD_LETTER_DETAIL)).isEqualTo("4 sends");
        Exchange lookedUp = exchange();
        lookedUp.setProperty(Exchange.EXCEPTION_CAUGHT, new OrderFailedException(null, "no answer"));
        placer.onFailure(lookedUp);
        assertThat(lookedUp.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isNull();
        assertThat(book.version()).isEqualTo(version);
    }

    @Test
    void shouldLeaveAnOrderToItsLookupWhenSomethingOfOursFailedAfterItsRequestLeft() {
        Exchange e = sentOnce();
        e.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("bug"));
        long version = book.version();
        placer.onFailure(e);
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isNull();
        assertThat(book.version()).isEqualTo(version);
        assertThat(placer.isInHand(id)).isFalse();
    }

    @Test
    void shouldFailItsOwnTradeWhenSomethingOfOursFailedBeforeAnythingLeft() {
        Exchange e = exchange();
        placer.prepare(e);
        e.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("bug"));
        long version = book.version();
        placer.onFailure(e);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.UNEXPECTED_ERROR);
        assertThat(book.version()).isEqualTo(version + 1);

        CopyIntent unrecorded = admitted("t-9");
        Exchange before = new DefaultExchange(camel);
        before.setProperty(ExchangeProps.INTENT, unrecorded);
        before.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("bug in sizing"));
        placer.onFailure(before);
        assertThat(before.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.UNEXPECTED_ERROR);
        assertThat(book.version()).isEqualTo(version + 2);
        assertThat(store.order(unrecorded.clientOrderId())).isEmpty();
    }

    // ---- what the mutation tests showed no test held: sending, releasing and dead-lettering in the less common paths

    @Test
    void shouldSendANewOrderOnAVenueThatLearnsItsIdOnlyFromTheAnswer() {
        venue.knowsIdBeforeSending = false;
        Exchange e = sentOnce();
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED)).as("its own order, just written: sent").isNull();
        assertThat(e.getProperty(ExchangeProps.RESERVATION)).isEqualTo(OrderPlacer.Reservation.WITH_ORDER);
        assertThat(state()).isEqualTo(OrderRecordState.SUBMITTING);
        assertThat(placer.isInHand(id)).isTrue();
        assertThat(e.getMessage().getBody(String.class)).isEqualTo(ScriptedExchange.body("{\"n\":1}"));
    }

    @Test
    void shouldSendAReplayOfAnOrderThatFailedBeforeItWasEverSigned() {
        store.recordIntent(trade.key(), intent);
        store.moveOrder(id, OrderRecordState.FAILED, null, null, null); // the book's read never answered: not signed
        ledger.finish(trade, TradeOutcome.FAILED, Reason.EXCHANGE_RETRIES_EXHAUSTED, "not prepared");
        assertThat(store.reopen(trade.key())).isTrue(); // a person replays it
        Exchange e = exchange();
        placer.prepare(e);
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED)).as("nothing of it ever left: sent now").isNull();
        assertThat(state()).isEqualTo(OrderRecordState.SUBMITTING);
        assertThat(store.outcome(trade.key())).as("not taken for an order placed before, nor copied").isEmpty();
        assertThat(placer.isInHand(id)).isTrue();
        placer.sign(e);
        placer.request(e);
        assertThat(venue.signed).isEqualTo(1);
        assertThat(e.getMessage().getBody(String.class)).isEqualTo(ScriptedExchange.body("{\"n\":1}"));
    }

    @Test
    void shouldNeitherReleaseNorDeadLetterAnOrderItsAnswerEndedWhenSomethingOfOursFailedAfter() {
        Exchange e = sentOnce();
        venue.placeResult = new PlaceResult.Accepted(new OrderStatus(id, new VenueOrderId("0xhash-1"), OrderState.FILLED,
                BigDecimal.TEN, new BigDecimal("0.50")));
        answer(e, 200);
        placer.onResult(e);
        long version = book.version();
        e.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("bug after the answer was recorded"));

        placer.onFailure(e);

        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).as("copied: never dead-lettered").isNull();
        assertThat(book.version()).as("settled by its answer, not released again").isEqualTo(version);
        assertThat(state()).isEqualTo(OrderRecordState.FILLED);
        assertThat(store.outcome(trade.key())).contains(TradeOutcome.COPIED);
    }

    @Test
    void shouldLookUpARefusedOrderWhoseRefusalWasNotWrittenWhenTheStoreCouldNotSaySoAtFirst() {
        overALosingStore(store, clock);
        reserved();
        Exchange e = sentOnce();
        venue.placeResult = new PlaceResult.Rejected(Reason.EXCHANGE_INVALID_ORDER, "tick size");
        answer(e, 400);
        db.refused.add(LosingAnswers.move(id, OrderRecordState.REJECTED)); // dropped before the commit
        db.unreadable.addAll(List.of(LosingAnswers.read("order", id.value()), LosingAnswers.read("order", id.value())));
        orFallback(e, () -> placer.onResult(e));
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).as("the store cannot say yet").isNull();
        assertThat(placer.isInHand(id)).isTrue();

        placer.resolveAnswersInDoubt();

        // not written: the order is as it was, SUBMITTING; the monitor looks it up, and its end releases the book
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(placer.isInHand(id)).isFalse();
        assertThat(store.deadLetters()).isEmpty();
        assertThat(store.outcome(trade.key())).isEmpty();
        assertThat(book.outstanding()).as("not released here").containsExactly(id);
    }

    @Test
    void shouldNotReleaseAnOrderSomeoneElseMovedOnWhenItsFailedSendIsRecorded() {
        reserved();
        Exchange e = sentOnce();
        answer(e, 429);
        // meanwhile the order was found at the venue and moved on by someone else, who settles it when it ends
        store.moveOrder(id, OrderRecordState.UNKNOWN, null, null, null);
        store.moveOrder(id, OrderRecordState.OPEN, new VenueOrderId("0xhash-1"), null, null);
        OrderFailedException failed = sendFailed(e);
        assertThat(state()).isEqualTo(OrderRecordState.OPEN);
        assertThat(released).as("not this exchange's to release").isFalse();
        assertThat(book.outstanding()).containsExactly(id);
        // nor its trade's to fail: before, the trade went to the dead letters (EXCHANGE_RETRIES_EXHAUSTED) while its
        // order stood at the venue, and a replay would have copied it again
        assertThat(failed.deadLetterReason()).isNull();
        e.setProperty(Exchange.EXCEPTION_CAUGHT, failed);
        placer.onFailure(e);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isNull();
        assertThat(store.outcome(trade.key())).isEmpty();
    }

    @Test
    void shouldTakeAnOrderFailedUnsentAsFailedHereWhenTheFailureWasCommittedThoughItsAnswerWasLost() {
        overALosingStore(store, clock);
        reserved();
        placer.closeForShutdown();
        db.lostAnswers.add(LosingAnswers.move(id, OrderRecordState.FAILED));
        Exchange e = exchange();
        placer.prepare(e); // read back: found FAILED, so it is this exchange's move, and nothing is thrown
        assertThat(e.getProperty(ExchangeProps.ALREADY_PLACED, Boolean.class)).isTrue();
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertReleasedOnce();
    }

    @Test
    void shouldFailAndReleaseAtTheFallbackAnOrderFailedUnsentWhoseFailureWasNotWritten() {
        overALosingStore(store, clock);
        reserved();
        placer.closeForShutdown();
        db.refused.add(LosingAnswers.move(id, OrderRecordState.FAILED)); // dropped before the commit
        Exchange e = exchange();
        Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() -> placer.prepare(e));
        assertThat(failed).as("read back: not written, the error stands").isInstanceOf(io.copytrader.store.StoreException.class);
        assertThat(state()).isEqualTo(OrderRecordState.SUBMITTING);
        assertThat(book.outstanding()).as("nothing released while its order stands").containsExactly(id);

        e.setProperty(Exchange.EXCEPTION_CAUGHT, failed);
        placer.onFailure(e);
        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.UNEXPECTED_ERROR);
        assertReleasedOnce();
    }

    @Test
    void shouldFailTheReopenedOrderOfAReplayWhenSomethingOfOursFailedBeforeItWasSentWithSeveralInstances() {
        Exchange first = sentOnce();
        answer(first, 429);
        sendFailed(first);
        ledger.finish(trade, TradeOutcome.FAILED, Reason.EXCHANGE_RETRIES_EXHAUSTED, "x");
        store.reopen(trade.key());
        ledger.resolvingLostAdmissions(false); // several instances on the store
        Exchange replay = exchange();
        placer.prepare(replay);
        assertThat(state()).as("reopened by this replay").isEqualTo(OrderRecordState.SUBMITTING);
        replay.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("bug"));
        long version = book.version();

        placer.onFailure(replay);

        // the order this replay reopened carries its reservation: failed by the fallback, not left SUBMITTING (with
        // several instances, no read of the store could tell it from another instance's order)
        assertThat(state()).as("this replay's own order, nothing of it sent: failed, replayable").isEqualTo(OrderRecordState.FAILED);
        assertThat(replay.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.UNEXPECTED_ERROR);
        assertThat(book.version()).as("released once").isEqualTo(version + 1);
    }

    @Test
    void shouldReleaseOnceATradeTheVenuesStateDeniedWhenItsSkipCouldNotBeRecorded() {
        overALosingStore(store, clock);
        reserved();
        venue.prepareFailure = new OrderDeniedException(Reason.RISK_NOTHING_TO_SELL, "we hold 0 shares");
        Exchange e = exchange();
        placer.prepare(e);
        db.refused.addAll(List.of(trade.key(), trade.key(), trade.key())); // the SKIPPED outcome: never written
        long version = book.version();

        signOrFallback(e);

        assertThat(state()).isEqualTo(OrderRecordState.FAILED);
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).as("replayable").isEqualTo(Reason.UNEXPECTED_ERROR);
        assertThat(book.version()).as("released once, by the denial; the failure's record finds it released").isEqualTo(version + 1);
        assertReleasedOnce();
    }

    @Test
    void shouldLeaveADuplicateToALookupWhenItsFirstMoveToUnknownFailed() {
        overALosingStore(store, clock);
        Exchange e = sentOnce();
        venue.placeResult = new PlaceResult.Rejected(Reason.EXCHANGE_DUPLICATE_ORDER, "Duplicated");
        answer(e, 400);
        db.refused.add(LosingAnswers.move(id, OrderRecordState.UNKNOWN)); // once: the next attempt is written

        OrderFailedException failed = org.assertj.core.api.Assertions.catchThrowableOfType(() -> placer.onResult(e),
                OrderFailedException.class);

        assertThat(failed).isNotNull();
        assertThat(failed.deadLetterReason()).as("in flight: the venue has the order").isNull();
        assertThat(failed.detail()).startsWith("answer not recorded: ");
        assertThat(state()).isEqualTo(OrderRecordState.UNKNOWN);
        assertThat(placer.isInHand(id)).isFalse();
    }

    @Test
    void shouldReleaseTheReservationOfATradeWhoseIntentTheStoreNeverTook() {
        overALosingStore(store, clock);
        reserved();
        db.refused.addAll(List.of(trade.key(), trade.key(), trade.key())); // every attempt at the intent
        Exchange e = exchange();
        orFallback(e, () -> placer.prepare(e));
        assertThat(e.getProperty(ExchangeProps.DEAD_LETTER_REASON)).isEqualTo(Reason.UNEXPECTED_ERROR);
        assertThat(store.order(id)).isEmpty();
        assertReleasedOnce();
    }

    @Test
    void shouldGiveTheStageTimelineTheCopysLatencyInMicroseconds() {
        List<Long> latencies = new ArrayList<>();
        StageTimeline timeline = ledger.metrics().timeline();
        timeline.listen((micros, marks) -> latencies.add(micros));
        Exchange e = sentOnce();
        timeline.mark(e, "send", timeline.nowMicros());
        venue.placeResult = new PlaceResult.Accepted(new OrderStatus(id, new VenueOrderId("0xhash-1"), OrderState.FILLED,
                BigDecimal.TEN, new BigDecimal("0.50")));
        answer(e, 200);

        placer.onResult(e);

        assertThat(latencies).as("detection to acceptance, as the latency metric has it")
                .containsExactly(java.time.Duration.between(trade.tsInit(), clock.instant()).toNanos() / 1000);
    }
}

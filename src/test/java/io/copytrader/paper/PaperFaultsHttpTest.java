package io.copytrader.paper;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TraderId;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.JdkVenueHttpClient;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.PlaceResult;
import io.copytrader.venue.TransientVenueException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every fault kind, as a client of the contract sees it over real HTTP. */
@Timeout(30)
class PaperFaultsHttpTest {
    private static final TraderId ALICE = new TraderId("alice");
    private final JdkVenueHttpClient http = new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5));
    private final JdkVenueHttpClient impatient = new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofMillis(400));
    private PaperVenue venue;
    private PaperExchangeAdapter exchange;
    private PaperFeedAdapter feed;
    private PaperVenueAdmin admin;

    @BeforeEach
    void startVenue() {
        venue = PaperVenue.start(venueConfig(42));
        exchange = new PaperExchangeAdapter(venue.baseUrl());
        feed = new PaperFeedAdapter(venue.baseUrl());
        admin = new PaperVenueAdmin(venue.baseUrl(), http);
    }

    private static PaperVenueConfig venueConfig(long seed) {
        return PaperVenueConfig.builder().seed(seed).traders(Map.of("alice", 0.0)).startingCash(new BigDecimal("1000"))
                .fillModel(FillModelSettings.alwaysImmediate()).hangTimeout(Duration.ofMillis(500)).build();
    }

    @AfterEach
    void stopVenue() {
        venue.close();
    }

    private PlaceResult place(JdkVenueHttpClient client, CopyIntent intent) throws IOException {
        return exchange.onPlaceReply(intent, client.execute(exchange.prepareOrder(intent).call()));
    }

    private OrderState lookup(CopyIntent intent) throws IOException {
        return exchange.onLookupReply(intent, http.execute(exchange.lookupOrder(intent, null))).state();
    }

    @Test
    void shouldAnswer5xxForABurstThenRecover() throws Exception {
        admin.injectFault(FaultSpec.burst(FaultKind.HTTP_5XX, 2));
        CopyIntent buy = Intents.buy("f-1", "0.5", "2");

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> place(http, buy)).isInstanceOfSatisfying(TransientVenueException.class,
                    e -> assertThat(e.status()).isEqualTo(500));
        }
        assertThat(place(http, buy)).isInstanceOf(PlaceResult.Accepted.class);
        assertThat(admin.stats().faults(FaultKind.HTTP_5XX)).isEqualTo(2);
    }

    @Test
    void shouldRateLimitWithRetryAfter() throws Exception {
        admin.injectFault(FaultSpec.burst(FaultKind.RATE_LIMIT_429, 1).withRetryAfter(3));

        assertThatThrownBy(() -> place(http, Intents.buy("f-2", "0.5", "2")))
                .isInstanceOfSatisfying(TransientVenueException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
                });
    }

    @Test
    void shouldCloseTheConnectionWithoutAnsweringOnReset() throws Exception {
        admin.injectFault(FaultSpec.burst(FaultKind.CONNECTION_RESET, 1));
        CopyIntent buy = Intents.buy("f-3", "0.5", "2");

        assertThatThrownBy(() -> place(http, buy)).isInstanceOf(IOException.class);
        assertThat(lookup(buy)).isEqualTo(OrderState.NOT_FOUND);
    }

    @Test
    void shouldNeverAnswerOnTimeoutAndNotPlaceTheOrder() throws Exception {
        admin.injectFault(FaultSpec.burst(FaultKind.TIMEOUT, 1));
        CopyIntent buy = Intents.buy("f-4", "0.5", "2");

        assertThatThrownBy(() -> place(impatient, buy)).isInstanceOf(HttpTimeoutException.class);
        assertThat(lookup(buy)).isEqualTo(OrderState.NOT_FOUND);
    }

    @Test
    void shouldPlaceTheOrderButNeverAnswerOnTimeoutAfterAccept() throws Exception {
        admin.injectFault(FaultSpec.burst(FaultKind.TIMEOUT_AFTER_ACCEPT, 1));
        CopyIntent buy = Intents.buy("f-5", "0.5", "2");

        // 1. the client times out, 2. the order is there anyway, 3. sending it again is a duplicate
        assertThatThrownBy(() -> place(impatient, buy)).isInstanceOf(HttpTimeoutException.class);
        assertThat(lookup(buy)).isEqualTo(OrderState.FILLED);
        assertThat(place(http, buy)).isInstanceOfSatisfying(PlaceResult.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Reason.EXCHANGE_DUPLICATE_ORDER));
    }

    @Test
    void shouldCloseAHungConnectionAfterTheHangTimeout() throws Exception {
        admin.injectFault(FaultSpec.burst(FaultKind.TIMEOUT, 1).onTarget(FaultTarget.EXCHANGE));
        try (Socket socket = new Socket("127.0.0.1", venue.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /exchange/balance HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            // the venue says nothing and closes the socket after its 500 ms hang timeout: end of stream, no bytes
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void shouldRejectForInsufficientBalanceWhateverTheCash() throws Exception {
        admin.injectFault(FaultSpec.burst(FaultKind.INSUFFICIENT_BALANCE, 1));

        assertThat(place(http, Intents.buy("f-6", "0.5", "2"))).isInstanceOfSatisfying(PlaceResult.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Reason.EXCHANGE_INSUFFICIENT_BALANCE));
        assertThat(admin.stats().ordersRejected()).isEqualTo(1);
        assertThat(admin.stats().faults(FaultKind.INSUFFICIENT_BALANCE)).isEqualTo(1);
    }

    @Test
    void shouldDelayRequestsByTheLatencyFault() throws Exception {
        admin.injectFault(FaultSpec.burst(FaultKind.LATENCY, 1).withLatency(300, 300));

        long start = System.nanoTime();
        assertThat(exchange.onBalanceReply(http.execute(exchange.balance()))).isEqualByComparingTo("1000");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(admin.stats().faults(FaultKind.LATENCY)).isEqualTo(1);
    }

    @Test
    void shouldAnswerFeedRequestsWith503DuringAnOutage() throws Exception {
        admin.injectFault(FaultSpec.burst(FaultKind.FEED_OUTAGE, 1));

        assertThatThrownBy(() -> feed.onPage(ALICE, null, http.execute(feed.fetchPage(ALICE, null)), Instant.now()))
                .isInstanceOfSatisfying(TransientVenueException.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(feed.onPage(ALICE, null, http.execute(feed.fetchPage(ALICE, null)), Instant.now()).rows()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "BAD_JSON, row is not a JSON object",
            "MISSING_FIELD, missing field 'price'",
            "ZERO_QUANTITY, quantity 0 must be positive",
            "NEGATIVE_QUANTITY, must be positive",
            "ABSURD_QUANTITY, quantity 1000000000000 is absurd",
            "PRICE_OUT_OF_RANGE, price 1.5 is outside (0,1)"})
    void shouldServeAMalformedRowInPlaceOfAFillWithoutSpoilingThePage(MalformedVariant variant, String detail) throws Exception {
        admin.injectFault(FaultSpec.burst(FaultKind.MALFORMED_ROW, 1).withVariant(variant));
        admin.emit("alice", 3);

        List<FeedRow> rows = feed.onPage(ALICE, null, http.execute(feed.fetchPage(ALICE, null)), Instant.now()).rows();

        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).isInstanceOfSatisfying(FeedRow.Malformed.class, m -> {
            assertThat(m.reason()).isEqualTo(Reason.FEED_MALFORMED_ROW);
            assertThat(m.detail()).contains(detail);
        });
        assertThat(rows.subList(1, 3)).allMatch(FeedRow.Trade.class::isInstance);
    }

    @Test
    void shouldReplayTheSameFaultSequenceForTheSameSeed() throws Exception {
        List<String> first = faultSequence(venue, admin);
        try (PaperVenue twin = PaperVenue.start(venueConfig(42)); PaperVenue other = PaperVenue.start(venueConfig(43))) {
            assertThat(faultSequence(twin, new PaperVenueAdmin(twin.baseUrl(), http))).isEqualTo(first);
            assertThat(faultSequence(other, new PaperVenueAdmin(other.baseUrl(), http))).isNotEqualTo(first);
        }
        assertThat(first).contains("500", "429", "ok");
    }

    /** Forty placements under 5xx and 429 faults at 20% each: which ones failed, in order. */
    private List<String> faultSequence(PaperVenue target, PaperVenueAdmin targetAdmin) throws IOException {
        targetAdmin.injectFault(FaultSpec.withProbability(FaultKind.HTTP_5XX, 0.2));
        targetAdmin.injectFault(FaultSpec.withProbability(FaultKind.RATE_LIMIT_429, 0.2));
        PaperExchangeAdapter adapter = new PaperExchangeAdapter(target.baseUrl());
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            CopyIntent buy = Intents.buy("s-" + i, "0.1", "1");
            try {
                adapter.onPlaceReply(buy, http.execute(adapter.prepareOrder(buy).call()));
                outcomes.add("ok");
            } catch (TransientVenueException e) {
                outcomes.add(Integer.toString(e.status()));
            }
        }
        return outcomes;
    }
}

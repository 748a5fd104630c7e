package io.copytrader.venue;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TraderId;
import io.copytrader.domain.VenueOrderId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The venue contract's values: what an adapter is handed and hands back, and what an adapter does by default. */
class VenueValuesTest {

    @ParameterizedTest(name = "{0}: success {1}")
    @CsvSource({"199, false", "200, true", "204, true", "299, true", "300, false", "0, false", "503, false"})
    void shouldCallOnlyTwoHundredsASuccess(int status, boolean success) {
        assertThat(new HttpReply(status, Map.of(), "").isSuccess()).isEqualTo(success);
    }

    @Test
    void shouldReadRetryAfterInSecondsAndLeaveEverythingElseToTheEngine() {
        assertThat(reply("retry-after", "7").retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(reply("retry-after", " 2 ").retryAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(reply("retry-after", "0").retryAfter()).as("retry at once").isEqualTo(Duration.ZERO);
        assertThat(reply("retry-after", "-1").retryAfter()).isNull();
        assertThat(reply("retry-after", "Wed, 21 Oct 2026 07:28:00 GMT").retryAfter()).isNull();
        assertThat(reply("retry-after", "1.5").retryAfter()).isNull();
        assertThat(reply("retry-after", "99999999999999999999").retryAfter()).isNull();
        assertThat(new HttpReply(429, Map.of(), "").retryAfter()).isNull();
    }

    @Test
    void shouldFindAHeaderByItsNameInAnyCase() {
        HttpReply reply = reply("poly-ratelimit-remaining", "0");
        assertThat(reply.header("Poly-RateLimit-Remaining")).isEqualTo("0");
        assertThat(reply.header("poly-ratelimit-remaining")).isEqualTo("0");
        assertThat(reply.header("Retry-After")).isNull();
    }

    @Test
    void shouldTakeAnAnswerWithoutHeadersOrBodyAsEmptyAndKeepItsOwnCopy() {
        HttpReply bare = new HttpReply(204, null, null);
        assertThat(bare.headers()).isEmpty();
        assertThat(bare.body()).isEmpty();
        Map<String, String> headers = new HashMap<>(Map.of("retry-after", "3"));
        HttpReply reply = new HttpReply(429, headers, "{}");
        headers.put("retry-after", "60");
        assertThat(reply.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> reply.headers().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldShowACallByMethodAndUrlOnlyForItsHeadersMayHoldSecrets() {
        HttpCall call = new HttpCall("POST", "http://venue.example/order",
                Map.of("POLY_API_KEY", "apikey-must-not-leak", "POLY_SIGNATURE", "sig-must-not-leak"), "{\"order\":1}");
        assertThat(call.toString()).isEqualTo("POST http://venue.example/order");
        assertThat(new PreparedOrder(call, new VenueOrderId("0xabc")).toString())
                .doesNotContain("must-not-leak").contains("POST http://venue.example/order");
    }

    @Test
    void shouldBuildTheCommonCallsAndRefuseACallWithoutMethodOrUrl() {
        assertThat(HttpCall.get("http://venue.example/a")).isEqualTo(new HttpCall("GET", "http://venue.example/a", null, null));
        HttpCall post = HttpCall.postJson("http://venue.example/b", "{}");
        assertThat(post.method()).isEqualTo("POST");
        assertThat(post.headers()).containsExactly(Map.entry("Content-Type", "application/json"));
        assertThat(post.body()).isEqualTo("{}");
        assertThatThrownBy(() -> new HttpCall(null, "http://venue.example", null, null))
                .isInstanceOf(NullPointerException.class).hasMessage("method");
        assertThatThrownBy(() -> new HttpCall("GET", null, null, null))
                .isInstanceOf(NullPointerException.class).hasMessage("url");
        Map<String, String> headers = new HashMap<>(Map.of("a", "1"));
        HttpCall call = new HttpCall("GET", "http://venue.example", headers, null);
        headers.put("b", "2");
        assertThat(call.headers()).containsOnlyKeys("a");
    }

    @ParameterizedTest
    @EnumSource(OrderState.class)
    void shouldEndAnOrderOnlyWhenFilledCanceledOrRejected(OrderState state) {
        assertThat(state.isTerminal())
                .isEqualTo(state == OrderState.FILLED || state == OrderState.CANCELED || state == OrderState.REJECTED);
    }

    @Test
    void shouldSayNotFoundWithNothingFilled() {
        ClientOrderId id = new ClientOrderId("ct-1");
        assertThat(OrderStatus.notFound(id))
                .isEqualTo(new OrderStatus(id, null, OrderState.NOT_FOUND, BigDecimal.ZERO, null));
    }

    @Test
    void shouldKeepAPagesOwnCopyOfItsRows() {
        List<FeedRow> rows = new ArrayList<>();
        rows.add(new FeedRow.Malformed("row 0", Reason.FEED_MALFORMED_ROW, "price 1.5 is outside (0,1)"));
        FeedPage page = new FeedPage(rows, "c-1", false);
        rows.clear();
        assertThat(page.rows()).hasSize(1);
        assertThatThrownBy(() -> page.rows().add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldCarryWhatTheVenueSaidInItsExceptions() {
        TransientVenueException t = new TransientVenueException("503 from the venue", 503, Duration.ofSeconds(4));
        assertThat(t.status()).isEqualTo(503);
        assertThat(t.retryAfter()).isEqualTo(Duration.ofSeconds(4));
        assertThat(new OrderDeniedException(Reason.RISK_NOTHING_TO_SELL, "nothing to sell").reason())
                .isEqualTo(Reason.RISK_NOTHING_TO_SELL);
        ResignRequiredException resign = new ResignRequiredException(1, 2);
        assertThat(resign.status()).isEqualTo(400);
        assertThat(resign.retryAfter()).isNull();
        assertThat(resign.getMessage()).isEqualTo("order_version_mismatch: signed for CLOB version 1, the CLOB now takes"
                + " version 2; prepare the order again");
    }

    @Test
    void shouldNeitherKnowOrderIdsBeforeSendingNorResendNorLookFurtherByDefault() throws Exception {
        ExchangeAdapter venue = new Minimal();
        assertThat(venue.knowsOrderIdBeforeSending()).isFalse();
        assertThatThrownBy(() -> venue.resend(null, new VenueOrderId("v-1"), "{}"))
                .isInstanceOf(UnsupportedOperationException.class).hasMessage("minimal keeps no signed orders to send again");
        assertThat(venue.findEarlierOrder(null, new VenueOrderId("v-1"))).isEmpty();
        HttpReply reply = new HttpReply(200, Map.of(), "{}");
        assertThat(venue.onLookupReply(null, new VenueOrderId("v-1"), reply)).isSameAs(Minimal.LOOKED_UP);
    }

    @Test
    void shouldReadNoPositionsOfATargetByDefault() {
        FeedAdapter feed = new FeedAdapter() {
            @Override
            public String name() {
                return "minimal";
            }

            @Override
            public HttpCall fetchPage(TraderId trader, String cursor) {
                return HttpCall.get("http://venue.example/feed");
            }

            @Override
            public FeedPage onPage(TraderId trader, String cursor, HttpReply reply, Instant now) {
                return new FeedPage(List.of(), cursor, false);
            }
        };
        TraderId alice = new TraderId("alice");
        HttpReply reply = new HttpReply(200, Map.of(), "{}");
        assertThat(feed.fetchPositions(alice)).isEmpty();
        assertThat(feed.onPositions(alice, reply)).isEmpty();
        assertThat(feed.nextPositionsPage(alice, reply, 1)).isEmpty();
    }

    private static HttpReply reply(String header, String value) {
        return new HttpReply(429, Map.of(header, value), "");
    }

    /** An adapter that overrides nothing it need not. */
    private static final class Minimal implements ExchangeAdapter {
        static final OrderStatus LOOKED_UP = new OrderStatus(new ClientOrderId("ct-1"), new VenueOrderId("v-1"),
                OrderState.OPEN, BigDecimal.ZERO, null);

        @Override
        public String name() {
            return "minimal";
        }

        @Override
        public PreparedOrder prepareOrder(CopyIntent intent) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PlaceResult onPlaceReply(CopyIntent intent, HttpReply reply) {
            throw new UnsupportedOperationException();
        }

        @Override
        public HttpCall lookupOrder(CopyIntent intent, VenueOrderId venueOrderId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public OrderStatus onLookupReply(CopyIntent intent, HttpReply reply) {
            return LOOKED_UP;
        }

        @Override
        public HttpCall cancelOrder(CopyIntent intent, VenueOrderId venueOrderId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean onCancelReply(HttpReply reply) {
            throw new UnsupportedOperationException();
        }

        @Override
        public HttpCall balance() {
            throw new UnsupportedOperationException();
        }

        @Override
        public BigDecimal onBalanceReply(HttpReply reply) {
            throw new UnsupportedOperationException();
        }

        @Override
        public HttpCall positions() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<PositionSnapshot> onPositionsReply(HttpReply reply) {
            throw new UnsupportedOperationException();
        }
    }
}

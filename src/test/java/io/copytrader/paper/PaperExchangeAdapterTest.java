package io.copytrader.paper;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Reason;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.PlaceResult;
import io.copytrader.venue.PreparedOrder;
import io.copytrader.venue.TransientVenueException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@link PaperExchangeAdapter} builds requests and classifies every kind of answer. */
class PaperExchangeAdapterTest {
    private final PaperExchangeAdapter adapter = new PaperExchangeAdapter("http://127.0.0.1:9/");
    private final CopyIntent buy = Intents.buy("t-1", "0.55", "12.50");

    private static HttpReply reply(int status, String body) {
        return new HttpReply(status, Map.of(), body);
    }

    @Test
    void shouldPrepareAnExactJsonOrderWithoutAVenueOrderId() {
        PreparedOrder prepared = adapter.prepareOrder(Intents.buy("t-2", "0.55", "1E+2"));

        assertThat(prepared.venueOrderId()).isNull();
        assertThat(prepared.call().method()).isEqualTo("POST");
        assertThat(prepared.call().url()).isEqualTo("http://127.0.0.1:9/exchange/orders");
        assertThat(prepared.call().body()).contains("\"price\":0.55", "\"quantity\":100", "\"side\":\"BUY\"")
                .doesNotContain("E+");
    }

    @Test
    void shouldReadAnAcceptedOrder() {
        String body = "{\"status\":\"ACCEPTED\",\"clientOrderId\":\"" + buy.clientOrderId() + "\",\"venueOrderId\":\"P-1\","
                + "\"state\":\"PARTIALLY_FILLED\",\"filledQuantity\":3.125,\"avgFillPrice\":0.55}";

        PlaceResult result = adapter.onPlaceReply(buy, reply(200, body));

        assertThat(result).isInstanceOfSatisfying(PlaceResult.Accepted.class, a -> {
            assertThat(a.status().state()).isEqualTo(OrderState.PARTIALLY_FILLED);
            assertThat(a.status().venueOrderId().value()).isEqualTo("P-1");
            assertThat(a.status().filledQuantity()).isEqualTo("3.125");
        });
    }

    @ParameterizedTest
    @CsvSource({
            "409, DUPLICATE_CLIENT_ORDER_ID, EXCHANGE_DUPLICATE_ORDER",
            "400, INSUFFICIENT_BALANCE, EXCHANGE_INSUFFICIENT_BALANCE",
            "400, INVALID_ORDER, EXCHANGE_INVALID_ORDER"})
    void shouldClassifyBusinessRejects(int status, String error, Reason reason) {
        PlaceResult result = adapter.onPlaceReply(buy, reply(status, "{\"error\":\"" + error + "\",\"message\":\"why\"}"));

        assertThat(result).isInstanceOfSatisfying(PlaceResult.Rejected.class, r -> assertThat(r.reason()).isEqualTo(reason));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 425, 429})
    void shouldThrowTransientForTryAgainAnswers(int status) {
        HttpReply reply = new HttpReply(status, Map.of("retry-after", "7"), "{\"error\":\"X\"}");

        assertThatThrownBy(() -> adapter.onPlaceReply(buy, reply)).isInstanceOfSatisfying(TransientVenueException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        });
        assertThatThrownBy(() -> adapter.onLookupReply(buy, reply)).isInstanceOf(TransientVenueException.class);
        assertThatThrownBy(() -> adapter.onBalanceReply(reply)).isInstanceOf(TransientVenueException.class);
    }

    @Test
    void shouldLeaveRetryAfterNullWhenAbsentOrNotSeconds() {
        assertThatThrownBy(() -> adapter.onPlaceReply(buy, new HttpReply(429, Map.of("retry-after", "Wed, 21 Oct 2026 07:28:00 GMT"), "")))
                .isInstanceOfSatisfying(TransientVenueException.class, e -> assertThat(e.retryAfter()).isNull());
        assertThatThrownBy(() -> adapter.onPlaceReply(buy, reply(503, "")))
                .isInstanceOfSatisfying(TransientVenueException.class, e -> assertThat(e.retryAfter()).isNull());
    }

    @Test
    void shouldRefuseUnreadableBodies() {
        assertThatThrownBy(() -> adapter.onPlaceReply(buy, reply(200, "<html>")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> adapter.onPlaceReply(buy, reply(400, "oops")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> adapter.onPlaceReply(buy, reply(404, "{}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unexpected answer 404");
    }

    @Test
    void shouldReadLookupCancelBalanceAndPositions() {
        assertThat(adapter.lookupOrder(buy, null)).isEqualTo(HttpCall.get("http://127.0.0.1:9/exchange/orders/" + buy.clientOrderId()));
        assertThat(adapter.onLookupReply(buy, reply(404, "{\"error\":\"UNKNOWN_ORDER\"}")).state()).isEqualTo(OrderState.NOT_FOUND);
        assertThat(adapter.cancelOrder(buy, null).method()).isEqualTo("DELETE");
        assertThat(adapter.onCancelReply(reply(404, "{\"error\":\"UNKNOWN_ORDER\"}"))).isTrue();
        String canceled = "{\"clientOrderId\":\"c-1\",\"venueOrderId\":\"P-3\",\"state\":\"CANCELED\",\"filledQuantity\":0,\"avgFillPrice\":null}";
        assertThat(adapter.onCancelReply(reply(200, canceled))).isTrue();
        assertThat(adapter.onBalanceReply(reply(200, "{\"cash\":10.5,\"reserved\":0.25,\"available\":10.25}"))).isEqualTo("10.25");
        assertThat(adapter.onPositionsReply(reply(200, "{\"positions\":[{\"instrument\":\"tok-7\",\"quantity\":12.5,\"avgPrice\":0.55}]}")))
                .singleElement().satisfies(p -> assertThat(p.quantity()).isEqualTo("12.5"));
    }
}

package io.copytrader.polymarket;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Side;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.TransientVenueException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the CLOB's answers to a lookup and a cancel are read, shape by shape (the contract test drives them end to end). */
class ClobRepliesTest {
    static final CopyIntent BUY = PolymarketContractTest.intent("t-1", Side.BUY, "0.52", "10", "0.60");

    static HttpReply ok(String body) {
        return new HttpReply(200, Map.of(), body);
    }

    static OrderStatus lookup(String status, String original, String matched) {
        return ClobReplies.lookup(BUY, ok("{\"id\":\"0xh\",\"status\":\"" + status + "\",\"original_size\":\"" + original
                + "\",\"size_matched\":\"" + matched + "\",\"price\":\"0.53\",\"order_type\":\"GTC\"}"), "GTC");
    }

    @Test
    void shouldReadWhatALookedUpOrderFilledAndWhereItStands() {
        OrderStatus resting = lookup("LIVE", "10", "0");
        assertThat(resting.state()).isEqualTo(OrderState.OPEN);
        assertThat(resting.filledQuantity()).isEqualByComparingTo("0");
        assertThat(resting.avgFillPrice()).as("no fill, no price").isNull();

        OrderStatus part = lookup("LIVE", "10", "3");
        assertThat(part.state()).isEqualTo(OrderState.PARTIALLY_FILLED);
        assertThat(part.filledQuantity()).isEqualByComparingTo("3");
        assertThat(part.avgFillPrice()).isEqualByComparingTo("0.53");

        assertThat(lookup("LIVE", "10", "10").state()).as("all of it matched").isEqualTo(OrderState.FILLED);
        assertThat(lookup("MATCHED", "10", "10.6").state()).as("more shares than signed").isEqualTo(OrderState.FILLED);
        OrderStatus canceled = lookup("CANCELED", "10", "3");
        assertThat(canceled.state()).isEqualTo(OrderState.CANCELED);
        assertThat(canceled.filledQuantity()).as("what filled before the cancel is kept").isEqualByComparingTo("3");
        assertThat(lookup("ORDER_STATUS_CANCELED_MARKET_RESOLVED", "10", "0").state()).isEqualTo(OrderState.CANCELED);
        assertThat(lookup("UNMATCHED", "10", "0").state()).isEqualTo(OrderState.CANCELED);
        assertThat(lookup("INVALID", "10", "0").state()).isEqualTo(OrderState.REJECTED);
        assertThat(lookup("LIVE", "10", "0").venueOrderId().value()).isEqualTo("0xh");

        for (String gone : new String[]{"null", "", "{}"}) {
            assertThat(ClobReplies.lookup(BUY, ok(gone), "GTC").state()).as("'%s'", gone).isEqualTo(OrderState.NOT_FOUND);
        }
        assertThat(ClobReplies.lookup(BUY, new HttpReply(404, Map.of(), "{\"error\":\"not found\"}"), "GTC").state())
                .isEqualTo(OrderState.NOT_FOUND);
        assertThatThrownBy(() -> ClobReplies.lookup(BUY, new HttpReply(503, Map.of(), ""), "GTC"))
                .isInstanceOf(TransientVenueException.class);
        assertThatThrownBy(() -> ClobReplies.lookup(BUY, new HttpReply(400, Map.of(), "{\"error\":\"bad\"}"), "GTC"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HTTP 400");
    }

    @Test
    void shouldEndAnImmediateOrderMatchedInPartWhereItStopped() {
        OrderStatus fak = ClobReplies.lookup(BUY, ok("{\"id\":\"0xh\",\"status\":\"MATCHED\",\"original_size\":\"10\","
                + "\"size_matched\":\"4\",\"price\":\"0.53\",\"order_type\":\"FAK\"}"), "FAK");
        assertThat(fak.state()).as("the rest was killed").isEqualTo(OrderState.CANCELED);
        assertThat(fak.filledQuantity()).isEqualByComparingTo("4");
        OrderStatus gtc = ClobReplies.lookup(BUY, ok("{\"id\":\"0xh\",\"status\":\"MATCHED\",\"original_size\":\"10\","
                + "\"size_matched\":\"4\",\"price\":\"0.53\",\"order_type\":\"GTC\"}"), "GTC");
        assertThat(gtc.state()).as("a resting order matched in part rests on").isEqualTo(OrderState.PARTIALLY_FILLED);
    }

    @Test
    void shouldTellACanceledOrGoneOrderFromOneTheClobKept() {
        assertThat(ClobReplies.canceled(ok("{\"canceled\":[\"0xh\"],\"not_canceled\":{}}"))).isTrue();
        assertThat(ClobReplies.canceled(ok("{\"canceled\":[],\"not_canceled\":{\"0xh\":\"order not found\"}}"))).isTrue();
        assertThat(ClobReplies.canceled(ok("{\"canceled\":[],\"not_canceled\":{\"0xh\":"
                + "\"order can't be found - already canceled or matched\"}}"))).isTrue();
        assertThat(ClobReplies.canceled(ok("{\"canceled\":[],\"not_canceled\":{\"0xh\":\"matched orders can't be canceled\"}}")))
                .isTrue();
        assertThat(ClobReplies.canceled(ok("{\"canceled\":[],\"not_canceled\":{\"0xh\":\"market is closed\"}}")))
                .as("still at the venue").isFalse();
        assertThat(ClobReplies.canceled(ok("{\"canceled\":[],\"not_canceled\":{\"0xh\":\"order not found\","
                + "\"0xi\":\"market is closed\"}}"))).as("one of them kept").isFalse();
        assertThat(ClobReplies.canceled(ok("{\"canceled\":[],\"not_canceled\":{}}"))).as("nothing said").isFalse();
        assertThat(ClobReplies.canceled(new HttpReply(404, Map.of(), ""))).isTrue();
        assertThat(ClobReplies.canceled(new HttpReply(400, Map.of(), "{\"error\":\"Invalid order payload\"}"))).isFalse();
        assertThatThrownBy(() -> ClobReplies.canceled(new HttpReply(502, Map.of(), "")))
                .isInstanceOf(TransientVenueException.class);
    }

    @Test
    void shouldReadAnAnswersAmountInSharesOrInBaseUnits() {
        BigDecimal planned = new BigDecimal("21.04");
        assertThat(ClobReplies.inShares(new BigDecimal("21040000"), planned)).isEqualByComparingTo("21.04");
        assertThat(ClobReplies.inShares(new BigDecimal("21.04"), planned)).isEqualByComparingTo("21.04");
        assertThat(ClobReplies.inShares(new BigDecimal("21"), new BigDecimal("21"))).as("an integer near the plan")
                .isEqualByComparingTo("21");
        assertThat(ClobReplies.inShares(new BigDecimal("21000"), new BigDecimal("21"))).as("1000 times the plan")
                .isEqualByComparingTo("0.021");
        assertThat(ClobReplies.inShares(new BigDecimal("21000.5"), new BigDecimal("21"))).as("not an integer")
                .isEqualByComparingTo("21000.5");
        // what we gave: above twice the signed maker amount it can only be base units
        assertThat(ClobReplies.inBaseUnits(new BigDecimal("10.6"), 5_300_000)).isFalse();
        assertThat(ClobReplies.inBaseUnits(new BigDecimal("10.6"), 5_000_000)).isTrue();
        assertThat(ClobReplies.inBaseUnits(new BigDecimal("10"), 5_000_000)).as("exactly twice").isFalse();
    }
}

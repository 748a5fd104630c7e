package io.copytrader.paper;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.venue.ExchangeAdapter;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.PlaceResult;
import io.copytrader.venue.PositionSnapshot;
import io.copytrader.venue.PreparedOrder;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The paper venue's exchange contract as pure request building and reply classification: 2xx accepted; 409 a
 * duplicate; 400 INSUFFICIENT_BALANCE or INVALID_ORDER a business reject; 5xx, 425 and 429 a
 * {@link io.copytrader.venue.TransientVenueException} with Retry-After; an unreadable body an
 * {@link IllegalArgumentException}. The paper venue finds orders by client order id, so {@link #prepareOrder} names
 * no venue order id. Thread-safe (stateless).
 */
public final class PaperExchangeAdapter implements ExchangeAdapter {
    private static final Map<String, Reason> REJECTS = Map.of(
            "INSUFFICIENT_BALANCE", Reason.EXCHANGE_INSUFFICIENT_BALANCE,
            "INVALID_ORDER", Reason.EXCHANGE_INVALID_ORDER,
            "DUPLICATE_CLIENT_ORDER_ID", Reason.EXCHANGE_DUPLICATE_ORDER);

    private final String baseUrl;

    public PaperExchangeAdapter(String baseUrl) {
        this.baseUrl = PaperReplies.trimBaseUrl(baseUrl);
    }

    @Override
    public String name() {
        return "paper";
    }

    @Override
    public PreparedOrder prepareOrder(CopyIntent intent) {
        OrderRequest request = new OrderRequest(intent.clientOrderId().value(), intent.instrument().value(),
                intent.side(), intent.limitPrice(), intent.quantity());
        return new PreparedOrder(HttpCall.postJson(baseUrl + "/exchange/orders", PaperJson.write(request)), null);
    }

    @Override
    public PlaceResult onPlaceReply(CopyIntent intent, HttpReply reply) {
        String what = "paper order " + intent.clientOrderId();
        PaperReplies.throwIfTransient(reply, what);
        if (reply.isSuccess()) {
            return new PlaceResult.Accepted(status(PaperReplies.success(reply, what)));
        }
        if (reply.status() == 409) {
            return new PlaceResult.Rejected(Reason.EXCHANGE_DUPLICATE_ORDER,
                    "client order id " + intent.clientOrderId() + " was already used at the paper venue");
        }
        if (reply.status() == 400) {
            String code = PaperReplies.errorCode(reply, what);
            return new PlaceResult.Rejected(REJECTS.getOrDefault(code, Reason.EXCHANGE_INVALID_ORDER),
                    PaperReplies.errorMessage(reply, code));
        }
        throw new IllegalArgumentException(what + ": unexpected answer " + reply.status() + " " + reply.body());
    }

    @Override
    public HttpCall lookupOrder(CopyIntent intent, VenueOrderId venueOrderId) {
        return HttpCall.get(orderUrl(intent));
    }

    @Override
    public OrderStatus onLookupReply(CopyIntent intent, HttpReply reply) {
        String what = "paper order lookup " + intent.clientOrderId();
        PaperReplies.throwIfTransient(reply, what);
        if (reply.status() == 404) {
            return OrderStatus.notFound(intent.clientOrderId());
        }
        return status(PaperReplies.success(reply, what));
    }

    @Override
    public HttpCall cancelOrder(CopyIntent intent, VenueOrderId venueOrderId) {
        return new HttpCall("DELETE", orderUrl(intent), Map.of(), null);
    }

    /** True when the order is no longer working: canceled now, already terminal, or unknown (404). */
    @Override
    public boolean onCancelReply(HttpReply reply) {
        PaperReplies.throwIfTransient(reply, "paper cancel");
        if (reply.status() == 404) {
            return true;
        }
        return status(PaperReplies.success(reply, "paper cancel")).state().isTerminal();
    }

    @Override
    public HttpCall balance() {
        return HttpCall.get(baseUrl + "/exchange/balance");
    }

    @Override
    public BigDecimal onBalanceReply(HttpReply reply) {
        return PaperJson.decimal(PaperReplies.success(reply, "paper balance"), "available");
    }

    @Override
    public HttpCall positions() {
        return HttpCall.get(baseUrl + "/exchange/positions");
    }

    @Override
    public List<PositionSnapshot> onPositionsReply(HttpReply reply) {
        JsonNode positions = PaperReplies.success(reply, "paper positions").get("positions");
        if (positions == null || !positions.isArray()) {
            throw new IllegalArgumentException("paper positions answer has no 'positions' array");
        }
        List<PositionSnapshot> list = new ArrayList<>(positions.size());
        for (JsonNode p : positions) {
            list.add(new PositionSnapshot(new InstrumentId(PaperJson.text(p, "instrument")),
                    PaperJson.decimal(p, "quantity"), PaperJson.decimal(p, "avgPrice")));
        }
        return list;
    }

    private String orderUrl(CopyIntent intent) {
        return baseUrl + "/exchange/orders/" + PaperReplies.encode(intent.clientOrderId().value());
    }

    private static OrderStatus status(JsonNode order) {
        String state = PaperJson.text(order, "state");
        OrderState parsed;
        try {
            parsed = OrderState.valueOf(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("order state '" + state + "' is not one of OPEN, PARTIALLY_FILLED, FILLED, CANCELED");
        }
        JsonNode venueId = order.get("venueOrderId");
        return new OrderStatus(new ClientOrderId(PaperJson.text(order, "clientOrderId")),
                venueId != null && venueId.isTextual() ? new VenueOrderId(venueId.asText()) : null, parsed,
                PaperJson.decimal(order, "filledQuantity"), PaperJson.optionalDecimal(order, "avgFillPrice"));
    }
}

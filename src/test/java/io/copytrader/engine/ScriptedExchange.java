package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.venue.ExchangeAdapter;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.PlaceResult;
import io.copytrader.venue.PositionSnapshot;
import io.copytrader.venue.PreparedOrder;
import io.copytrader.venue.TransientVenueException;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A venue for the decision tests, scripted per test: what preparing (signing) yields, what the reply to a placement
 * means, what the venue says of an earlier order. Signing is deterministic per call: the n-th signature is
 * {@code {"n":n}} under hash {@code 0xhash-n}. Records what the engine asked of it.
 */
final class ScriptedExchange implements ExchangeAdapter {
    boolean knowsIdBeforeSending = true;
    /** Whether a prepared order carries its signed form (false: a venue id known before sending, nothing to keep). */
    boolean keepsSignedOrder = true;
    RuntimeException prepareFailure;
    PlaceResult placeResult;
    /** Thrown instead of {@link #placeResult} (a version mismatch), when set. */
    RuntimeException placeFailure;
    /** The earlier order's status (empty: confirmed absent); null with {@link #lookupFailure} set. */
    Optional<OrderStatus> earlier = Optional.empty();
    IOException lookupFailure;
    int signed;
    final List<String> resent = new ArrayList<>();
    final List<VenueOrderId> lookedUp = new ArrayList<>();

    static String body(String signedOrder) {
        return "{\"order\":" + signedOrder + ",\"owner\":\"k\"}";
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public PreparedOrder prepareOrder(CopyIntent intent) {
        if (prepareFailure != null) {
            throw prepareFailure;
        }
        signed++;
        String order = "{\"n\":" + signed + "}";
        VenueOrderId id = knowsIdBeforeSending ? new VenueOrderId("0xhash-" + signed) : null;
        return new PreparedOrder(new HttpCall("POST", "http://venue/order", Map.of("X-Auth", "a" + signed), body(order)),
                id, knowsIdBeforeSending && keepsSignedOrder ? order : null);
    }

    @Override
    public PreparedOrder resend(CopyIntent intent, VenueOrderId venueOrderId, String signedOrder) {
        resent.add(signedOrder);
        return new PreparedOrder(new HttpCall("POST", "http://venue/order", Map.of("X-Auth", "fresh"), body(signedOrder)),
                venueOrderId, signedOrder);
    }

    @Override
    public PlaceResult onPlaceReply(CopyIntent intent, HttpReply reply) {
        if (reply.status() >= 500 || reply.status() == 429) {
            throw new TransientVenueException("HTTP " + reply.status(), reply.status(), reply.retryAfter());
        }
        if (placeFailure != null) {
            throw placeFailure;
        }
        return placeResult;
    }

    @Override
    public boolean knowsOrderIdBeforeSending() {
        return knowsIdBeforeSending;
    }

    @Override
    public Optional<OrderStatus> findEarlierOrder(CopyIntent intent, VenueOrderId earlierId) throws IOException {
        lookedUp.add(earlierId);
        if (lookupFailure != null) {
            throw lookupFailure;
        }
        return earlier;
    }

    @Override
    public HttpCall lookupOrder(CopyIntent intent, VenueOrderId venueOrderId) {
        return HttpCall.get("http://venue/order/" + (venueOrderId == null ? intent.clientOrderId().value() : venueOrderId.value()));
    }

    /** Set per test by the monitor's tests: what a lookup answers. */
    OrderStatus lookupStatus;

    @Override
    public OrderStatus onLookupReply(CopyIntent intent, HttpReply reply) {
        return lookupStatus;
    }

    final List<VenueOrderId> canceled = new ArrayList<>();

    @Override
    public HttpCall cancelOrder(CopyIntent intent, VenueOrderId venueOrderId) {
        canceled.add(venueOrderId);
        return new HttpCall("DELETE", "http://venue/order", Map.of(), null);
    }

    @Override
    public boolean onCancelReply(HttpReply reply) {
        return true;
    }

    @Override
    public HttpCall balance() {
        return HttpCall.get("http://venue/balance");
    }

    /** Set per test: the cash the venue reports (what open buys hold aside is not in it). */
    BigDecimal balance = new BigDecimal("1000");

    @Override
    public BigDecimal onBalanceReply(HttpReply reply) {
        return balance;
    }

    @Override
    public HttpCall positions() {
        return HttpCall.get("http://venue/positions");
    }

    /** Set per test: the positions the venue reports. */
    List<PositionSnapshot> positions = List.of();

    @Override
    public List<PositionSnapshot> onPositionsReply(HttpReply reply) {
        return positions;
    }
}

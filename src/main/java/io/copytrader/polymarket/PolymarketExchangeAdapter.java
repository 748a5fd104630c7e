package io.copytrader.polymarket;

import io.copytrader.venue.ResignRequiredException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.copytrader.domain.ClientOrderId;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.VenueOrderId;
import io.copytrader.venue.ExchangeAdapter;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.OrderDeniedException;
import io.copytrader.venue.OutcomeUnknownException;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.PlaceResult;
import io.copytrader.venue.PositionSnapshot;
import io.copytrader.venue.PreparedOrder;
import io.copytrader.venue.VenueHttpClient;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Places copies on the Polymarket CLOB V2 (contract 2.2 to 2.5). Thread-safe.
 *
 * <p><b>Pricing.</b> A copy is a marketable limit order (FOK by default, or FAK) priced at the target's price moved
 * by at most {@code maxSlippage} (and never past the intent's own limit), rounded to the tick towards safety (down
 * for a BUY, up for a SELL). Before signing, the book's best price (the minimum ask for a BUY, the maximum bid for a
 * SELL: never {@code asks[0]}, which is the worst ask) must be within that limit, or the order is denied with
 * {@code EXCHANGE_NOT_FILLED} without being sent.
 *
 * <p><b>Sells</b> are capped to the shares we actually hold: the conditional-token balance is refreshed
 * ({@code /balance-allowance/update}) and read before every SELL, so fees taken in shares on our BUYs are already
 * netted out. Nothing left, or less than the venue's minimum size: denied without sending.
 *
 * <p><b>Determinism.</b> The order id is the EIP-712 hash of the signed order, returned by {@link #prepareOrder}
 * so the engine persists it before sending and resolves a timeout by {@link #lookupOrder}, never by signing again.
 * Every signed field comes from the source trade or the venue's current market data: the salt is the first 53 bits
 * of {@code SHA-256("polymarket-salt|" + clientOrderId)} (a safe JSON integer; the client order id derives from the
 * trader and the source trade), the timestamp is the source trade's venue time ({@code tsEvent}, not the moment we
 * saw it) in milliseconds, metadata and builder are zero. The same trade against the same tick size, neg-risk flag
 * and held balance therefore always yields the same order hash, even when it is detected again after the store was
 * lost; the venue rejects the second copy as "Duplicated". A replay asks the venue for the earlier hash first
 * ({@link #findEarlierOrder}) and signs again only when it is confirmed absent.
 *
 * <p><b>Shape.</b> This class builds and signs orders and holds the order version; {@link ClobMarketData} reads and
 * caches market data, {@link ClobReplies} says what the CLOB's answers mean, {@link ClobAccount} reads balances and
 * positions, and {@link ClobClient} signs and rate-limits the adapter's own calls ({@link ClobRateLimits}).
 *
 * <p><b>Version.</b> {@code GET /version} is checked by {@link #checkVersion()} at start. On
 * {@code order_version_mismatch} the version is re-resolved once per order: if it changed to one we can sign, the
 * reply becomes a {@link ResignRequiredException} (prepare again: the refused order was not placed); otherwise a
 * reject.
 */
public final class PolymarketExchangeAdapter implements ExchangeAdapter {
    /** CLOB order versions this adapter signs, and their EIP-712 domains. */
    static final Map<Integer, OrderDomain> SIGNABLE = Map.of(2, OrderDomain.POLYGON_V2);
    private static final int MAX_REMEMBERED = 10_000;

    private final PolymarketConfig config;
    private final PolymarketCredentials creds;
    private final Map<Integer, OrderDomain> signable;
    private final ClobClient client;
    private final ClobMarketData marketData;
    private final ClobAccount account;
    private final ClobTrades trades;
    private final Set<ClientOrderId> versionReResolved = Collections.newSetFromMap(new ConcurrentHashMap<>());
    /** The signed amounts of the orders we prepared, to read the replies by (bounded). */
    private final Map<ClientOrderId, OrderAmounts> prepared = new ConcurrentHashMap<>();
    private volatile int version;
    private final Clock clock;

    /**
     * @param creds the signer key and API credentials (derived already if they were not configured)
     */
    public PolymarketExchangeAdapter(PolymarketConfig config, PolymarketCredentials creds, VenueHttpClient http,
                                     Clock clock) {
        this(config, creds, http, clock, SIGNABLE);
    }

    PolymarketExchangeAdapter(PolymarketConfig config, PolymarketCredentials creds, VenueHttpClient http, Clock clock,
                              Map<Integer, OrderDomain> signable) {
        this(config, creds, http, clock, signable, new ClobRateLimits(clock));
    }

    PolymarketExchangeAdapter(PolymarketConfig config, PolymarketCredentials creds, VenueHttpClient http, Clock clock,
                              Map<Integer, OrderDomain> signable, ClobRateLimits limits) {
        this.config = config;
        this.creds = creds;
        this.clock = clock;
        this.client = new ClobClient(config, creds, http, clock, limits);
        this.marketData = new ClobMarketData(client, clock);
        this.account = new ClobAccount(client);
        this.trades = new ClobTrades(client);
        this.signable = Map.copyOf(signable);
        this.version = signable.keySet().stream().max(Integer::compare).orElseThrow();
        if (!creds.hasApiCredentials()) {
            throw new IllegalArgumentException("Polymarket API credentials are missing: set POLY_API_KEY, "
                    + "POLY_API_SECRET and POLY_PASSPHRASE, or derive them through L1 (PolymarketVenue does)");
        }
        if (config.funder() == null) {
            throw new IllegalArgumentException("POLY_FUNDER is required with POLY_SIGNATURE_TYPE=" + config.signatureType().code());
        }
    }

    @Override
    public String name() {
        return "polymarket";
    }

    /** The CLOB's clock against ours, as last read ({@link PolymarketVenue#exchange} stamps headers with it). */
    public ClobTime clobTime() {
        return clock instanceof ClobClock synced ? synced.time()
                : new ClobTime(Optional.empty(), "not read: headers carry the clock the adapter was given");
    }

    /** The signer's address (the EOA whose API key this is). */
    String signerAddress() {
        return creds.signerAddress();
    }

    /** The order maker: the funder wallet. */
    String funder() {
        return config.funder();
    }

    String clobUrl() {
        return config.clobUrl();
    }

    /** The order version we sign for now. */
    public int version() {
        return version;
    }

    /**
     * Asks {@code GET /version} which order version to sign. Call at start.
     *
     * @throws IllegalStateException when the CLOB wants a version this adapter cannot sign
     */
    public int checkVersion() {
        int v = marketData.resolveVersion();
        if (!signable.containsKey(v)) {
            throw new IllegalStateException("the CLOB at " + config.clobUrl() + " takes orders of version " + v
                    + ", but this adapter signs versions " + new java.util.TreeSet<>(signable.keySet()));
        }
        version = v;
        return v;
    }

    // ---------------------------------------------------------------- placing

    @Override
    public PreparedOrder prepareOrder(CopyIntent intent) {
        OrderDomain domain = signable.get(version);
        String token = intent.instrument().value();
        BigInteger tokenId = tokenId(intent.instrument());
        TokenMarket market = marketData.market(token);
        BigDecimal price = limitPrice(intent, market.tickSize());
        checkLiquidity(intent.side(), price, market);
        BigDecimal quantity = intent.side() == Side.SELL ? cappedSellQuantity(intent, account.heldShares(token)) : intent.quantity();
        if (quantity.compareTo(market.minOrderSize()) < 0) {
            throw new OrderDeniedException(Reason.SIZING_TOO_SMALL, "quantity " + quantity.toPlainString()
                    + " is below the venue minimum of " + market.minOrderSize().toPlainString() + " shares");
        }
        OrderAmounts amounts = OrderAmounts.marketable(intent.side(), price, quantity, market.tickSize());
        if (amounts.makerAmount() <= 0 || amounts.takerAmount() <= 0) {
            throw new OrderDeniedException(Reason.SIZING_TOO_SMALL, "quantity " + quantity.toPlainString()
                    + " at " + price.toPlainString() + " rounds to nothing");
        }
        client.limits().acquire(ClobRateLimits.Bucket.ORDER, "POST /order"); // before signing: a refusal leaves nothing signed
        SignedOrder order = SignedOrder.sign(creds, domain.separator(market.negRisk()), salt(intent.clientOrderId()),
                config.funder(), tokenId, amounts, intent.side(), config.signatureType(),
                intent.source().tsEvent().toEpochMilli());
        String signed = Json.write(order.toJson(Json.object()));
        remember(intent.clientOrderId(), amounts);
        VenueOrderId hash = new VenueOrderId(order.hash());
        return new PreparedOrder(client.l2("POST", "/order", "", postBody(signed)), hash, signed);
    }

    /**
     * Sends again the order signed earlier ({@link PreparedOrder#signedOrder}, as persisted): the body is built
     * around exactly those bytes, so it is the same order under the same hash (the CLOB answers "Duplicated" if it
     * has it); only the L2 headers are made anew.
     */
    @Override
    public PreparedOrder resend(CopyIntent intent, VenueOrderId venueOrderId, String signedOrder) {
        rememberSigned(intent, signedOrder);
        client.limits().acquire(ClobRateLimits.Bucket.ORDER, "POST /order");
        return new PreparedOrder(client.l2("POST", "/order", "", postBody(signedOrder)), venueOrderId, signedOrder);
    }

    /**
     * The POST /order body around a signed order's JSON, the signed bytes kept as they are: {@code {"order":...,
     * "owner":..., "orderType":..., "deferExec":false, "postOnly":false}}. The owner (the API key) is added here,
     * never persisted with the signed order.
     */
    private String postBody(String signedOrder) {
        ObjectNode rest = Json.object();
        rest.put("owner", creds.apiKey());
        rest.put("orderType", config.orderType());
        rest.put("deferExec", false);
        rest.put("postOnly", false);
        return "{\"order\":" + signedOrder + "," + Json.write(rest).substring(1);
    }

    /** The salt: the first 53 bits of SHA-256 over the client order id, so the same intent signs the same order. */
    static long salt(ClientOrderId id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(("polymarket-salt|" + id.value()).getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xFF);
            }
            return v >>> 11;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Target price moved by the slippage cap, bounded by the intent's limit, rounded to the tick towards safety. */
    BigDecimal limitPrice(CopyIntent intent, BigDecimal tick) {
        BigDecimal target = intent.source().price();
        BigDecimal raw;
        RoundingMode towardsSafety;
        if (intent.side() == Side.BUY) {
            raw = target.multiply(BigDecimal.ONE.add(config.maxSlippage())).min(intent.limitPrice());
            towardsSafety = RoundingMode.DOWN;
        } else {
            raw = target.multiply(BigDecimal.ONE.subtract(config.maxSlippage())).max(intent.limitPrice());
            towardsSafety = RoundingMode.UP;
        }
        BigDecimal price = raw.divide(tick, 0, towardsSafety).multiply(tick);
        BigDecimal lowest = tick;
        BigDecimal highest = BigDecimal.ONE.subtract(tick);
        // into the valid range [tick, 1 - tick] only towards safety (a BUY lower, a SELL higher); the other way
        // would pay more, or take less, than the cap (a target's fill at 0.004 while the tick was 0.001, copied once
        // the tick is 0.01 again): not sent
        if (intent.side() == Side.BUY && price.compareTo(lowest) < 0) {
            throw new OrderDeniedException(Reason.EXCHANGE_NOT_FILLED, "our limit " + raw.stripTrailingZeros()
                    .toPlainString() + " is below the lowest price at tick " + tick.toPlainString());
        }
        if (intent.side() == Side.SELL && price.compareTo(highest) > 0) {
            throw new OrderDeniedException(Reason.EXCHANGE_NOT_FILLED, "our floor " + raw.stripTrailingZeros()
                    .toPlainString() + " is above the highest price at tick " + tick.toPlainString());
        }
        return price.max(lowest).min(highest).stripTrailingZeros();
    }

    private static void checkLiquidity(Side side, BigDecimal limit, TokenMarket market) {
        Optional<BigDecimal> best = side == Side.BUY ? market.bestAsk() : market.bestBid();
        String what = side == Side.BUY ? "ask" : "bid";
        if (best.isEmpty()) {
            throw new OrderDeniedException(Reason.EXCHANGE_NOT_FILLED, "the book has no " + what + "s");
        }
        boolean within = side == Side.BUY ? best.get().compareTo(limit) <= 0 : best.get().compareTo(limit) >= 0;
        if (!within) {
            throw new OrderDeniedException(Reason.EXCHANGE_NOT_FILLED, "best " + what + " " + best.get().toPlainString()
                    + " is beyond our limit " + limit.toPlainString());
        }
    }

    /** min(wanted, held), held being the refreshed conditional-token balance; 2 decimals, rounded down. */
    private static BigDecimal cappedSellQuantity(CopyIntent intent, BigDecimal held) {
        BigDecimal quantity = intent.quantity().min(held).setScale(2, RoundingMode.DOWN);
        if (quantity.signum() <= 0) {
            throw new OrderDeniedException(Reason.RISK_NOTHING_TO_SELL, "we hold " + held.toPlainString()
                    + " shares of this token");
        }
        return quantity;
    }

    /**
     * The amounts of an order signed by an earlier run (a resend after a restart), read back from its signed JSON, so
     * its answer is read against what was signed (the unit of the amounts, the shares planned) as for an order signed
     * here: without them a small fill answered in base units could only be guessed at.
     */
    private void rememberSigned(CopyIntent intent, String signedOrder) {
        if (prepared.containsKey(intent.clientOrderId())) {
            return;
        }
        try {
            JsonNode order = Json.read("signed order", signedOrder);
            long maker = Long.parseLong(order.path("makerAmount").asText());
            long taker = Long.parseLong(order.path("takerAmount").asText());
            if (maker > 0 && taker > 0) {
                BigDecimal usdc = BigDecimal.valueOf(intent.side() == Side.BUY ? maker : taker);
                BigDecimal shares = BigDecimal.valueOf(intent.side() == Side.BUY ? taker : maker);
                remember(intent.clientOrderId(), new OrderAmounts(usdc.divide(shares, MathContext.DECIMAL64), maker, taker));
            }
        } catch (IllegalArgumentException unreadable) {
            // the answer is read without them, as before this run signed anything
        }
    }

    private void remember(ClientOrderId id, OrderAmounts amounts) {
        if (prepared.size() >= MAX_REMEMBERED) {
            prepared.clear();
        }
        prepared.put(id, amounts);
    }

    @Override
    public PlaceResult onPlaceReply(CopyIntent intent, HttpReply reply) {
        client.limits().onReply(ClobRateLimits.Bucket.ORDER, reply);
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("POST /order", reply);
        }
        JsonNode body = Json.read("CLOB POST /order", reply.body());
        String error = ClobReplies.firstNonBlank(Json.text(body, "error"), Json.text(body, "errorMsg"), Json.text(body, "error_msg"));
        boolean success = reply.isSuccess() && body.path("success").asBoolean(true) && error == null;
        if (!success) {
            PolymarketErrors.Classified c = PolymarketErrors.classify(reply.status(), error);
            String message = error == null ? "HTTP " + reply.status() : abbreviate(creds.redact(error));
            switch (c.kind()) {
                case VERSION_MISMATCH:
                    return onVersionMismatch(intent, message);
                case DELAYED:
                    return accepted(intent, body, OrderState.OPEN);
                case TRANSIENT:
                    throw PolymarketErrors.transientFor("POST /order", reply);
                default:
                    return new PlaceResult.Rejected(c.reason(), message);
            }
        }
        String status = ClobReplies.textOr(body, "status", "live").toLowerCase(Locale.ROOT);
        switch (status) {
            case "matched":
                return accepted(intent, body, OrderState.FILLED);
            case "unmatched":
                // "marketable, but failure delaying": the CLOB's documentation says the placement succeeded, some
                // clients read it as not placed. Neither is safe to assume (a live order we forgot, or one we think
                // live), so the order is looked up by its hash: found, it is tracked; absent, it fails, replayable
                throw new OutcomeUnknownException("CLOB answered 'unmatched' (marketable, but failure delaying) for order "
                        + ClobReplies.textOr(body, "orderID", String.valueOf(intent.clientOrderId()))
                        + ": looking it up");
            default: // live, delayed
                return accepted(intent, body, OrderState.OPEN);
        }
    }

    private PlaceResult onVersionMismatch(CopyIntent intent, String message) {
        if (!versionReResolved.add(intent.clientOrderId())) {
            return new PlaceResult.Rejected(Reason.EXCHANGE_INVALID_ORDER, message + " again after re-resolving the version");
        }
        if (versionReResolved.size() > MAX_REMEMBERED) {
            versionReResolved.clear();
        }
        int before = version;
        int now = marketData.resolveVersion();
        if (now != before && signable.containsKey(now)) {
            version = now;
            throw new ResignRequiredException(before, now);
        }
        return new PlaceResult.Rejected(Reason.EXCHANGE_INVALID_ORDER, message + "; the CLOB reports version " + now
                + (signable.containsKey(now) ? ", the one we signed" : ", which this adapter cannot sign"));
    }

    private PlaceResult accepted(CopyIntent intent, JsonNode body, OrderState state) {
        return ClobReplies.accepted(intent, body, state, plannedShares(intent), prepared.get(intent.clientOrderId()),
                config.orderType());
    }

    /** The shares of the order we signed for this intent, or the intent's quantity when we did not here. */
    private BigDecimal plannedShares(CopyIntent intent) {
        OrderAmounts amounts = prepared.get(intent.clientOrderId());
        return amounts == null ? intent.quantity() : amounts.shares(intent.side());
    }

    // ---------------------------------------------------------------- lookup, cancel

    @Override
    public HttpCall lookupOrder(CopyIntent intent, VenueOrderId venueOrderId) {
        if (venueOrderId == null) {
            throw new IllegalArgumentException("Polymarket orders are looked up by the order hash persisted before "
                    + "sending; none is known for " + intent.clientOrderId());
        }
        return client.l2("GET", "/data/order/" + venueOrderId.value(), "", null);
    }

    @Override
    public OrderStatus onLookupReply(CopyIntent intent, HttpReply reply) {
        return ClobReplies.lookup(intent, reply, config.orderType());
    }

    /**
     * The lookup by hash; when the CLOB does not list the order, its trades decide ({@link ClobTrades}): the CLOB
     * stops listing a FOK or FAK once it is done, so only an order with no trade either is reported not found.
     */
    @Override
    public OrderStatus onLookupReply(CopyIntent intent, VenueOrderId venueOrderId, HttpReply reply) {
        OrderStatus status = onLookupReply(intent, reply);
        if (status.state() != OrderState.NOT_FOUND || venueOrderId == null) {
            return status;
        }
        return trades.statusOf(intent, venueOrderId,
                plannedShares(intent), config.orderType());
    }

    @Override
    public boolean knowsOrderIdBeforeSending() {
        return true;
    }

    /** Looks the earlier order's hash up at the CLOB: present (whatever its state), or confirmed absent. */
    @Override
    public Optional<OrderStatus> findEarlierOrder(CopyIntent intent, VenueOrderId earlier) throws IOException {
        OrderStatus status = onLookupReply(intent, earlier, client.execute(ClobRateLimits.Bucket.DATA, "GET /data/order",
                lookupOrder(intent, earlier)));
        return status.state() == OrderState.NOT_FOUND ? Optional.empty() : Optional.of(status);
    }

    @Override
    public HttpCall cancelOrder(CopyIntent intent, VenueOrderId venueOrderId) {
        if (venueOrderId == null) {
            throw new IllegalArgumentException("cannot cancel " + intent.clientOrderId() + " without its order hash");
        }
        ObjectNode body = Json.object().put("orderID", venueOrderId.value());
        return client.l2("DELETE", "/order", "", Json.write(body));
    }

    @Override
    public boolean onCancelReply(HttpReply reply) {
        return ClobReplies.canceled(reply);
    }

    // ---------------------------------------------------------------- balance, positions (ClobAccount)

    @Override
    public HttpCall balance() {
        if (clock instanceof ClobClock synced) {
            synced.resyncIfDue(); // the balance refresh's thread, every few seconds: never an order's
        }
        return account.balance();
    }

    /** pUSD available, from 6-decimal base units. */
    @Override
    public BigDecimal onBalanceReply(HttpReply reply) {
        return account.onBalanceReply(reply);
    }

    /** The funder's holdings from the Data API (public, no auth). */
    @Override
    public HttpCall positions() {
        return account.positions();
    }

    @Override
    public List<PositionSnapshot> onPositionsReply(HttpReply reply) {
        return account.onPositionsReply(reply);
    }



    private static BigInteger tokenId(InstrumentId instrument) {
        if (!instrument.value().matches("[0-9]{1,78}")) {
            throw new IllegalArgumentException("a Polymarket instrument must be a decimal token id");
        }
        return new BigInteger(instrument.value());
    }

    private static String abbreviate(String text) {
        return ClobReplies.abbreviate(text);
    }
}

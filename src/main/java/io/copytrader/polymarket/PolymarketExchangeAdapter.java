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
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.PlaceResult;
import io.copytrader.venue.PositionSnapshot;
import io.copytrader.venue.PreparedOrder;
import io.copytrader.venue.TransientVenueException;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
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
    private final VenueHttpClient http;
    private final Clock clock;
    private final Map<Integer, OrderDomain> signable;
    private final ClobRateLimits limits;
    private final Map<String, Cached> metadata = new ConcurrentHashMap<>();
    private final Set<ClientOrderId> versionReResolved = Collections.newSetFromMap(new ConcurrentHashMap<>());
    /** Share quantity of the orders we prepared, for replies that do not say (bounded). */
    private final Map<ClientOrderId, BigDecimal> preparedShares = new ConcurrentHashMap<>();
    private volatile int version;

    private record Cached(BigDecimal tickSize, boolean negRisk, Instant fetchedAt) {
    }

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
        this.limits = limits;
        this.config = config;
        this.creds = creds;
        this.http = http;
        this.clock = clock;
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
        int v = resolveVersion();
        if (!signable.containsKey(v)) {
            throw new IllegalStateException("the CLOB at " + config.clobUrl() + " takes orders of version " + v
                    + ", but this adapter signs versions " + new java.util.TreeSet<>(signable.keySet()));
        }
        version = v;
        return v;
    }

    private int resolveVersion() {
        JsonNode node = Json.read("CLOB /version", fetch(ClobRateLimits.Bucket.GENERAL, "CLOB /version", HttpCall.get(config.clobUrl() + "/version")).body());
        JsonNode v = node.isObject() ? node.get("version") : node;
        String text = v == null ? null : v.asText().trim();
        try {
            return Integer.parseInt(text == null ? "" : text.replaceFirst("^[vV]", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("CLOB /version: no integer version in the answer");
        }
    }

    // ---------------------------------------------------------------- placing

    @Override
    public PreparedOrder prepareOrder(CopyIntent intent) {
        OrderDomain domain = signable.get(version);
        String token = intent.instrument().value();
        BigInteger tokenId = tokenId(intent.instrument());
        TokenMarket market = market(token);
        BigDecimal price = limitPrice(intent, market.tickSize());
        checkLiquidity(intent.side(), price, market);
        BigDecimal quantity = intent.side() == Side.SELL ? cappedSellQuantity(intent, token) : intent.quantity();
        if (quantity.compareTo(market.minOrderSize()) < 0) {
            throw new OrderDeniedException(Reason.SIZING_TOO_SMALL, "quantity " + quantity.toPlainString()
                    + " is below the venue minimum of " + market.minOrderSize().toPlainString() + " shares");
        }
        OrderAmounts amounts = OrderAmounts.marketable(intent.side(), price, quantity, market.tickSize());
        if (amounts.makerAmount() <= 0 || amounts.takerAmount() <= 0) {
            throw new OrderDeniedException(Reason.SIZING_TOO_SMALL, "quantity " + quantity.toPlainString()
                    + " at " + price.toPlainString() + " rounds to nothing");
        }
        limits.acquire(ClobRateLimits.Bucket.ORDER, "POST /order"); // before signing: a refusal leaves nothing signed
        SignedOrder order = SignedOrder.sign(creds, domain.separator(market.negRisk()), salt(intent.clientOrderId()),
                config.funder(), tokenId, amounts, intent.side(), config.signatureType(),
                intent.source().tsEvent().toEpochMilli());
        ObjectNode body = Json.object();
        order.toJson(body.putObject("order"));
        body.put("owner", creds.apiKey());
        body.put("orderType", config.orderType());
        body.put("deferExec", false);
        body.put("postOnly", false);
        remember(intent.clientOrderId(), amounts.shares(intent.side()));
        return new PreparedOrder(l2("POST", "/order", "", Json.write(body)), new VenueOrderId(order.hash()));
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
    private BigDecimal cappedSellQuantity(CopyIntent intent, String token) {
        String query = "asset_type=CONDITIONAL&token_id=" + token + "&signature_type=" + config.signatureType().code();
        fetch(ClobRateLimits.Bucket.BALANCE_UPDATE, "CLOB /balance-allowance/update", l2("GET", "/balance-allowance/update", "?" + query, null));
        BigDecimal held = baseUnits(Json.read("CLOB /balance-allowance",
                fetch(ClobRateLimits.Bucket.BALANCE, "CLOB /balance-allowance", l2("GET", "/balance-allowance", "?" + query, null)).body()));
        BigDecimal quantity = intent.quantity().min(held).setScale(2, RoundingMode.DOWN);
        if (quantity.signum() <= 0) {
            throw new OrderDeniedException(Reason.RISK_NOTHING_TO_SELL, "we hold " + held.toPlainString()
                    + " shares of this token");
        }
        return quantity;
    }

    private void remember(ClientOrderId id, BigDecimal shares) {
        if (preparedShares.size() >= MAX_REMEMBERED) {
            preparedShares.clear();
        }
        preparedShares.put(id, shares);
    }

    @Override
    public PlaceResult onPlaceReply(CopyIntent intent, HttpReply reply) {
        limits.onReply(ClobRateLimits.Bucket.ORDER, reply);
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("POST /order", reply);
        }
        JsonNode body = Json.read("CLOB POST /order", reply.body());
        String error = firstNonBlank(Json.text(body, "error"), Json.text(body, "errorMsg"), Json.text(body, "error_msg"));
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
        String status = textOr(body, "status", "live").toLowerCase(Locale.ROOT);
        switch (status) {
            case "matched":
                return accepted(intent, body, OrderState.FILLED);
            case "unmatched":
                return new PlaceResult.Rejected(Reason.EXCHANGE_NOT_FILLED, "order unmatched");
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
        int now = resolveVersion();
        if (now != before && signable.containsKey(now)) {
            version = now;
            throw new ResignRequiredException(before, now);
        }
        return new PlaceResult.Rejected(Reason.EXCHANGE_INVALID_ORDER, message + "; the CLOB reports version " + now
                + (signable.containsKey(now) ? ", the one we signed" : ", which this adapter cannot sign"));
    }

    private PlaceResult accepted(CopyIntent intent, JsonNode body, OrderState state) {
        String id = Json.text(body, "orderID");
        VenueOrderId venueId = id == null || id.isBlank() ? null : new VenueOrderId(id);
        BigDecimal planned = preparedShares.getOrDefault(intent.clientOrderId(), intent.quantity());
        BigDecimal filled = BigDecimal.ZERO;
        BigDecimal avg = null;
        if (state == OrderState.FILLED) {
            BigDecimal making = Json.optionalDecimal(body, "makingAmount");
            BigDecimal taking = Json.optionalDecimal(body, "takingAmount");
            BigDecimal shares = intent.side() == Side.BUY ? taking : making;
            BigDecimal usdc = intent.side() == Side.BUY ? making : taking;
            filled = shares == null ? planned : inShares(shares, planned);
            if (shares != null && usdc != null && shares.signum() > 0) {
                avg = usdc.divide(shares, MathContext.DECIMAL64).stripTrailingZeros(); // same unit both sides
            }
            if ("FAK".equals(config.orderType()) && filled.compareTo(planned) < 0) {
                state = OrderState.CANCELED; // the venue killed the remainder: terminal, with what filled
            }
        }
        return new PlaceResult.Accepted(new OrderStatus(intent.clientOrderId(), venueId, state, filled, avg));
    }

    /**
     * The reply's amounts are written in shares ("21.04") by some CLOB versions and in 6-decimal base units
     * ("21040000") by others [contract: unverified]: an integer at least 1000 times the planned quantity is base units.
     */
    static BigDecimal inShares(BigDecimal amount, BigDecimal planned) {
        boolean integer = amount.stripTrailingZeros().scale() <= 0;
        if (integer && amount.compareTo(planned.multiply(BigDecimal.valueOf(1000))) >= 0) {
            return OrderAmounts.fromBaseUnits(amount);
        }
        return amount;
    }

    // ---------------------------------------------------------------- lookup, cancel

    @Override
    public HttpCall lookupOrder(CopyIntent intent, VenueOrderId venueOrderId) {
        if (venueOrderId == null) {
            throw new IllegalArgumentException("Polymarket orders are looked up by the order hash persisted before "
                    + "sending; none is known for " + intent.clientOrderId());
        }
        return l2("GET", "/data/order/" + venueOrderId.value(), "", null);
    }

    @Override
    public OrderStatus onLookupReply(CopyIntent intent, HttpReply reply) {
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("GET /data/order", reply);
        }
        String text = reply.body().trim();
        if (reply.status() == 404 || text.isEmpty() || text.equals("null") || text.equals("{}")) {
            return OrderStatus.notFound(intent.clientOrderId());
        }
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException("CLOB GET /data/order answered HTTP " + reply.status() + ": " + abbreviate(text));
        }
        JsonNode order = Json.read("CLOB GET /data/order", text);
        String status = textOr(order, "status", "").toUpperCase(Locale.ROOT).replaceFirst("^ORDER_STATUS_", "");
        BigDecimal original = Json.decimal(order, "original_size");
        BigDecimal matched = Optional.ofNullable(Json.optionalDecimal(order, "size_matched")).orElse(BigDecimal.ZERO);
        BigDecimal price = Json.optionalDecimal(order, "price");
        OrderState state;
        if (status.startsWith("CANCELED") || status.equals("UNMATCHED")) {
            state = OrderState.CANCELED;
        } else if (status.equals("INVALID")) {
            state = OrderState.REJECTED;
        } else if (matched.signum() > 0 && matched.compareTo(original) >= 0) {
            state = OrderState.FILLED;
        } else if (status.equals("MATCHED")) {
            // a FAK (or FOK) matched in part had the rest killed: it ends there, it never rests
            state = matched.signum() == 0 ? OrderState.FILLED
                    : isImmediate(order) ? OrderState.CANCELED : OrderState.PARTIALLY_FILLED;
            if (matched.signum() == 0) {
                matched = original;
            }
        } else {
            state = matched.signum() > 0 ? OrderState.PARTIALLY_FILLED : OrderState.OPEN;
        }
        String id = Json.text(order, "id");
        // the CLOB reports the order's limit price, not the fills': the fill price is at most this for a BUY
        return new OrderStatus(intent.clientOrderId(), id == null ? null : new VenueOrderId(id), state, matched,
                matched.signum() > 0 ? price : null);
    }

    @Override
    public boolean knowsOrderIdBeforeSending() {
        return true;
    }

    /** Looks the earlier order's hash up at the CLOB: present (whatever its state), or confirmed absent. */
    @Override
    public Optional<OrderStatus> findEarlierOrder(CopyIntent intent, VenueOrderId earlier) throws IOException {
        limits.acquire(ClobRateLimits.Bucket.DATA, "GET /data/order");
        HttpReply reply = http.execute(lookupOrder(intent, earlier));
        limits.onReply(ClobRateLimits.Bucket.DATA, reply);
        OrderStatus status = onLookupReply(intent, reply);
        return status.state() == OrderState.NOT_FOUND ? Optional.empty() : Optional.of(status);
    }

    /** Fill-and-kill or fill-or-kill: what did not match at once is gone. Our own orders are of the configured type. */
    private boolean isImmediate(JsonNode order) {
        String type = textOr(order, "order_type", config.orderType()).toUpperCase(Locale.ROOT);
        return type.equals("FAK") || type.equals("FOK");
    }

    @Override
    public HttpCall cancelOrder(CopyIntent intent, VenueOrderId venueOrderId) {
        if (venueOrderId == null) {
            throw new IllegalArgumentException("cannot cancel " + intent.clientOrderId() + " without its order hash");
        }
        ObjectNode body = Json.object().put("orderID", venueOrderId.value());
        return l2("DELETE", "/order", "", Json.write(body));
    }

    @Override
    public boolean onCancelReply(HttpReply reply) {
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("DELETE /order", reply);
        }
        if (reply.status() == 404) {
            return true;
        }
        if (!reply.isSuccess()) {
            return false;
        }
        JsonNode body = Json.read("CLOB DELETE /order", reply.body());
        if (body.path("canceled").isArray() && !body.path("canceled").isEmpty()) {
            return true;
        }
        for (JsonNode reason : body.path("not_canceled")) {
            String r = reason.asText().toLowerCase(Locale.ROOT);
            if (!(r.contains("not found") || r.contains("can't be found") || r.contains("already") || r.contains("matched"))) {
                return false;
            }
        }
        return body.path("not_canceled").size() > 0;
    }

    // ---------------------------------------------------------------- balance, positions

    @Override
    public HttpCall balance() {
        return l2("GET", "/balance-allowance", "?asset_type=COLLATERAL&signature_type=" + config.signatureType().code(), null);
    }

    /** pUSD available, from 6-decimal base units. */
    @Override
    public BigDecimal onBalanceReply(HttpReply reply) {
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("GET /balance-allowance", reply);
        }
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException("CLOB GET /balance-allowance answered HTTP " + reply.status());
        }
        return baseUnits(Json.read("CLOB /balance-allowance", reply.body()));
    }

    private static BigDecimal baseUnits(JsonNode body) {
        return OrderAmounts.fromBaseUnits(Json.decimal(body, "balance"));
    }

    /** The funder's holdings from the Data API (public, no auth). */
    @Override
    public HttpCall positions() {
        return HttpCall.get(config.dataApiUrl() + "/positions?user=" + config.funder().toLowerCase(Locale.ROOT)
                + "&sizeThreshold=0&limit=500");
    }

    @Override
    public List<PositionSnapshot> onPositionsReply(HttpReply reply) {
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor("Data API /positions", reply);
        }
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException("Data API /positions answered HTTP " + reply.status());
        }
        JsonNode rows = Json.read("Data API /positions", reply.body());
        if (!rows.isArray()) {
            throw new IllegalArgumentException("Data API /positions: expected a JSON array");
        }
        List<PositionSnapshot> out = new ArrayList<>();
        for (JsonNode row : rows) {
            BigDecimal size = Json.decimal(row, "size");
            if (size.signum() > 0) {
                out.add(new PositionSnapshot(new InstrumentId(Json.text(row, "asset")), size,
                        Json.optionalDecimal(row, "avgPrice")));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- market data

    /** Tick size and neg-risk (cached with the TTL), min size and best prices from the fresh book. */
    TokenMarket market(String token) {
        JsonNode book = Json.read("CLOB /book", fetch(ClobRateLimits.Bucket.BOOK, "CLOB /book", HttpCall.get(config.clobUrl() + "/book?token_id=" + token)).body());
        Cached meta = metadata.get(token);
        Instant now = clock.instant();
        if (meta == null || !now.isBefore(meta.fetchedAt().plus(config.metadataTtl()))) {
            BigDecimal tick = Json.decimal(Json.read("CLOB /tick-size", fetch(ClobRateLimits.Bucket.TICK_SIZE, "CLOB /tick-size",
                    HttpCall.get(config.clobUrl() + "/tick-size?token_id=" + token)).body()), "minimum_tick_size");
            JsonNode negRisk = Json.read("CLOB /neg-risk", fetch(ClobRateLimits.Bucket.GENERAL, "CLOB /neg-risk",
                    HttpCall.get(config.clobUrl() + "/neg-risk?token_id=" + token)).body()).get("neg_risk");
            if (negRisk == null || !negRisk.isBoolean()) {
                throw new IllegalArgumentException("CLOB /neg-risk: neg_risk is missing or not a boolean");
            }
            meta = new Cached(tick, negRisk.booleanValue(), now);
            metadata.put(token, meta);
        }
        BigDecimal bookTick = Json.optionalDecimal(book, "tick_size");
        if (bookTick != null && bookTick.compareTo(meta.tickSize()) != 0) {
            meta = new Cached(bookTick, meta.negRisk(), meta.fetchedAt()); // the book is fresher: the tick changed
            metadata.put(token, meta);
        }
        OrderAmounts.rounding(meta.tickSize()); // an unknown tick fails here, before anything is signed
        BigDecimal minSize = Optional.ofNullable(Json.optionalDecimal(book, "min_order_size")).orElse(BigDecimal.ZERO);
        return new TokenMarket(meta.tickSize(), meta.negRisk(), minSize, best(book.path("bids"), true),
                best(book.path("asks"), false));
    }

    /** The best level by price (max bid, min ask), whatever order the venue lists them in. */
    private static Optional<BigDecimal> best(JsonNode levels, boolean highest) {
        BigDecimal best = null;
        for (JsonNode level : levels) {
            BigDecimal price = Json.decimal(level, "price");
            BigDecimal size = Json.decimal(level, "size");
            if (size.signum() > 0 && (best == null || (highest ? price.compareTo(best) > 0 : price.compareTo(best) < 0))) {
                best = price;
            }
        }
        return Optional.ofNullable(best);
    }

    // ---------------------------------------------------------------- http helpers

    /** An L2-signed call: the HMAC covers the path without the query, and the exact body. */
    private HttpCall l2(String method, String path, String query, String body) {
        Map<String, String> headers = new LinkedHashMap<>(
                PolymarketAuth.l2Headers(creds, clock.instant().getEpochSecond(), method, path, body));
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        return new HttpCall(method, config.clobUrl() + path + query, headers, body);
    }

    /** Executes a metadata or balance call before anything is sent: failures here are safe to retry. */
    private HttpReply fetch(ClobRateLimits.Bucket bucket, String what, HttpCall call) {
        limits.acquire(bucket, what);
        HttpReply reply;
        try {
            reply = http.execute(call);
        } catch (IOException e) {
            throw new TransientVenueException(what + " failed: " + e.getClass().getSimpleName(), 0, null);
        }
        limits.onReply(bucket, reply);
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor(what, reply);
        }
        if (reply.status() == 404) {
            throw new OrderDeniedException(Reason.EXCHANGE_INVALID_ORDER, what + ": not found (no market for this token)");
        }
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException(what + " answered HTTP " + reply.status());
        }
        return reply;
    }

    private static BigInteger tokenId(InstrumentId instrument) {
        if (!instrument.value().matches("[0-9]{1,78}")) {
            throw new IllegalArgumentException("a Polymarket instrument must be a decimal token id");
        }
        return new BigInteger(instrument.value());
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    private static String textOr(JsonNode node, String field, String fallback) {
        String v = Json.text(node, field);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static String abbreviate(String text) {
        return PolymarketFeedAdapter.abbreviate(text);
    }
}

package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A contract fake of the Polymarket Data API and CLOB V2 (contract 2.1 to 2.5): one WireMock server on a dynamic
 * loopback port, with the test credentials it expects and the checks of what it received (L2 HMAC recomputed here;
 * each posted order's EIP-712 hash computed by web3j's {@code StructuredDataEncoder}, not our encoder, and its signer
 * recovered from the signature). Shared by the adapter-level contract tests and the route-level scenario tests.
 *
 * <p>Orders are stateful, as on the real CLOB: {@link #acceptOrders} answers {@code POST /order} with the order's
 * hash as {@code orderID} and remembers the order; {@code GET /data/order/{hash}} answers it (404 for a hash it never
 * took). The awkward behaviours of the real venue, each on demand:
 * <ul>
 *   <li><b>Signature check</b>: an order whose signature does not recover to its {@code signer} over the web3j hash
 *       is refused, 400 {@code invalid signature}.</li>
 *   <li><b>Duplicated</b>: a second post of a hash it already took is refused, 400
 *       {@code order {hash} is invalid. Duplicated.}, whatever happened to the first answer.</li>
 *   <li><b>Price improvement</b> ({@link #fillAt}): a marketable order matches at a better price than its limit. A
 *       BUY spends its whole maker amount and receives more shares than the signed taker amount; a SELL gives its
 *       shares and receives more pUSD. The reply's {@code takingAmount} says so, in base units.</li>
 *   <li><b>Partial fills</b> ({@link #fillFraction}): only part matches. A FOK is then killed whole ("couldn't be
 *       fully filled"); a FAK answers {@code matched} with what filled, the rest is killed, and the lookup shows
 *       {@code MATCHED} with {@code size_matched} below {@code original_size}, for ever.</li>
 *   <li><b>Rate limits</b> ({@link #rateLimitNextOrders}): 429 with {@code Retry-After} (seconds) and
 *       {@code Poly-RateLimit-Limit/-Remaining/-Reset} headers (the names after the venue's "Poly-RateLimit-*"; the
 *       exact set is unverified).</li>
 *   <li><b>Market data outages</b> ({@link #failNextMarketData}): {@code /book}, {@code /tick-size},
 *       {@code /neg-risk} or {@code /balance-allowance} answer 503 (or any status) a number of times.</li>
 *   <li><b>Lost answers</b> ({@link #loseAnswerOfNextOrders}): the CLOB takes the order but the gateway answers 504,
 *       as many times as asked, re-posts included; after that a re-post is "Duplicated".</li>
 *   <li><b>Its own clock</b> ({@link #clock}): {@code GET /time} answers it in Unix seconds, and an order, lookup
 *       or trade read whose {@code POLY_TIMESTAMP} is more than {@link #TIMESTAMP_WINDOW} away from it is refused
 *       with 401 (modeled: the CLOB checks the timestamp, its window is not published).</li>
 *   <li><b>Server errors before taking</b> ({@link #failNextOrders}): nothing is taken.</li>
 *   <li><b>Lagging order data</b> ({@link #hideOrdersFromLookups}): the lookup says 404 for orders it took, and
 *       {@code /data/trades} shows none of their trades.</li>
 *   <li><b>Answers with trade ids only</b> ({@link #answerWithTradeIdsOnly}): {@code matched} without the
 *       amounts matched.</li>
 *   <li><b>Matched orders no longer listed</b> ({@link #forgetMatchedOrders}): {@code GET /data/order/{hash}} of an
 *       order that matched answers {@code null}, as the real CLOB does for a FOK/FAK once it is done (py-clob-client
 *       issue #217); its fills are only in {@code GET /data/trades}. A re-post of such a SELL is not recognised as
 *       "Duplicated" but checked as a new order: "not enough balance / allowance", the first sold the shares.</li>
 * </ul>
 *
 * <p>{@code GET /data/trades} lists one trade per order that matched (ours as taker, {@code taker_order_id} = the
 * order's hash, {@code match_time} = when the fake took it, by its clock), filtered by {@code maker_address},
 * {@code asset_id} and {@code after} (Unix seconds: matched at or after it) when given, in pages of
 * {@link #tradesPageSize} with {@code next_cursor} ("LTE=" at the end), L2-checked.
 */
public final class PolymarketFake implements AutoCloseable {
    public static final String KEY = KnownAnswerTest.TEST_KEY;
    public static final String SIGNER = KnownAnswerTest.TEST_ADDRESS;
    public static final String FUNDER = "0x2222222222222222222222222222222222222222";
    public static final String API_KEY = "11111111-2222-3333-4444-555555555555";
    public static final String SECRET = Base64.getUrlEncoder()
            .encodeToString("contract-test-secret-32-bytes!!!".getBytes(StandardCharsets.UTF_8));
    public static final String PASSPHRASE = "contract-test-passphrase";
    /** A token id with a book in this fake (the YES token of the feed tests). */
    public static final String TOKEN = PolymarketFeedAdapterTest.YES;
    public static final String TARGET = PolymarketFeedAdapterTest.TARGET.value();
    private static final String ORDERS = "clob-orders";
    private static final String LOSE_ANSWER = "lose-answer";

    /** How far a header's timestamp may be from the fake's clock (modeled; the CLOB's own window is unpublished). */
    static final Duration TIMESTAMP_WINDOW = Duration.ofSeconds(30);

    private final WireMockServer server;
    private final ClobOrders orders = new ClobOrders();

    private PolymarketFake() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").extensions(orders));
    }

    /** Starts the fake with a V2 CLOB and one market ({@link #TOKEN}: tick 0.01, not neg-risk, best ask 0.53). */
    public static PolymarketFake start() {
        PolymarketFake fake = new PolymarketFake();
        fake.server.start();
        fake.server.stubFor(get(urlEqualTo("/version")).willReturn(okJson("{\"version\":2}")));
        fake.server.stubFor(get(urlEqualTo("/time")).willReturn(aResponse().withTransformers(ORDERS)));
        fake.server.stubFor(get(urlPathEqualTo("/tick-size")).willReturn(okJson("{\"minimum_tick_size\":0.01}")));
        fake.server.stubFor(get(urlPathEqualTo("/neg-risk")).willReturn(okJson("{\"neg_risk\":false}")));
        // asks listed worst first, as the CLOB does: asks[0] is the worst ask, not the best
        fake.server.stubFor(get(urlPathEqualTo("/book")).willReturn(okJson("{\"market\":\"0x" + "cd".repeat(32)
                + "\",\"asset_id\":\"" + TOKEN + "\",\"timestamp\":\"1762077600000\",\"hash\":\"0xabc\","
                + "\"bids\":[{\"price\":\"0.30\",\"size\":\"100\"},{\"price\":\"0.50\",\"size\":\"40\"}],"
                + "\"asks\":[{\"price\":\"0.99\",\"size\":\"100\"},{\"price\":\"0.53\",\"size\":\"50\"}],"
                + "\"min_order_size\":\"5\",\"tick_size\":\"0.01\",\"neg_risk\":false,\"last_trade_price\":\"0.52\"}")));
        return fake;
    }

    /**
     * The fake CLOB's clock: what {@code GET /time} answers, and what the L2 timestamps of orders, lookups and trade
     * reads are checked against (the system clock unless set).
     */
    public void clock(Clock clock) {
        orders.time = clock;
    }

    public WireMockServer server() {
        return server;
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.stop();
    }

    // ------------------------------------------------------------------ scripted answers

    /**
     * {@code POST /order} succeeds with the order's hash as orderID and the given status ({@code matched} with the
     * order's amounts as making/taking, or {@code delayed}/{@code live}/{@code unmatched}: left to the lookup), and the
     * order is remembered for {@code GET /data/order/{hash}} (an {@code unmatched} one unless
     * {@link #unmatchedOrdersTaken} says otherwise: the CLOB's documentation says "placement successful", some clients
     * read the status as not placed).
     */
    public void acceptOrders(String status) {
        orders.placeStatus = status;
        server.stubFor(post(urlEqualTo("/order")).willReturn(aResponse().withTransformers(ORDERS)));
        server.stubFor(get(urlPathMatching("/data/order/.+")).willReturn(aResponse().withTransformers(ORDERS)));
        server.stubFor(get(urlPathEqualTo("/data/trades")).willReturn(aResponse().withTransformers(ORDERS)));
    }

    /** Whether an order answered {@code unmatched} was taken (listed, and matched, as the others) or not (404). */
    public void unmatchedOrdersTaken(boolean taken) {
        orders.unmatchedTaken = taken;
    }

    /** {@code POST /order} answers every order with this error, as the CLOB writes them: {@code {"error": ...}}. */
    public void refuseOrders(int status, String error) {
        server.stubFor(post(urlEqualTo("/order")).willReturn(errorAnswer(status, error)));
    }

    /** The next {@code count} order posts get this error; the ones after get the answer stubbed before. */
    public void failNextOrders(int count, int status, String error) {
        String state = Scenario.STARTED;
        for (int i = 1; i <= count; i++) {
            String next = "failed-" + i;
            server.stubFor(post(urlEqualTo("/order")).inScenario("failing orders").whenScenarioStateIs(state)
                    .willSetStateTo(next).willReturn(errorAnswer(status, error)));
            state = next;
        }
    }

    /**
     * The next {@code count} order posts are taken by the CLOB, but the answer is lost (HTTP 504 from the gateway):
     * the order exists, and sending it again is refused as "Duplicated".
     */
    public void loseAnswerOfNextOrders(int count) {
        String state = Scenario.STARTED;
        for (int i = 1; i <= count; i++) {
            String next = "lost-" + i;
            server.stubFor(post(urlEqualTo("/order")).inScenario("lost answers").whenScenarioStateIs(state)
                    .willSetStateTo(next).willReturn(aResponse().withTransformers(ORDERS)
                            .withTransformerParameter(LOSE_ANSWER, true)));
            state = next;
        }
    }

    /**
     * While on, {@code GET /data/order/{hash}} answers 404 for every order, taken or not: the CLOB's order data lagging
     * behind its book (what makes an order that was taken look absent for a while).
     */
    public void hideOrdersFromLookups(boolean on) {
        orders.hidden = on;
    }

    /**
     * While on, {@code GET /data/order/{hash}} of an order that matched answers 200 {@code null}: the CLOB no longer
     * lists a FOK/FAK once it is done; what it filled is found in {@code /data/trades} only.
     */
    public void forgetMatchedOrders(boolean on) {
        orders.forgetMatched = on;
    }

    /**
     * While on, a {@code matched} answer carries no {@code makingAmount}/{@code takingAmount}, only its
     * {@code tradeIDs} (contract 2.2: the official client then polls the trades for what matched).
     */
    public void answerWithTradeIdsOnly(boolean on) {
        orders.tradeIdsOnly = on;
    }

    /** Trades of other orders of ours on the same token, listed before our order's (to make it page through them). */
    public void otherTrades(int count) {
        orders.otherTrades = count;
    }

    /** How many trades a {@code /data/trades} page holds. */
    public void tradesPageSize(int size) {
        orders.tradesPageSize = size;
    }

    /** While on, every order post is taken (if new) but answered 504, re-posts included. */
    public void loseEveryAnswer(boolean on) {
        orders.loseEvery = on;
    }

    private static ResponseDefinitionBuilder errorAnswer(int status, String error) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(Json.write(Json.object().put("error", error)));
    }

    /** A one-level book for {@code token} (the others keep the default book). */
    public void stubBook(String token, String bestBid, String bestAsk) {
        stubBook(token, "0.01", bestBid, bestAsk, "100");
    }

    /** The book of {@code token} at tick {@code tick}: one bid of 100, and asks as price/size pairs, in that order. */
    public void stubBook(String token, String tick, String bestBid, String... asks) {
        StringBuilder levels = new StringBuilder();
        for (int i = 0; i < asks.length; i += 2) {
            levels.append(i == 0 ? "" : ",").append("{\"price\":\"").append(asks[i]).append("\",\"size\":\"")
                    .append(asks[i + 1]).append("\"}");
        }
        server.stubFor(get(urlPathEqualTo("/book")).withQueryParam("token_id", equalTo(token))
                .willReturn(okJson("{\"asset_id\":\"" + token + "\",\"bids\":[{\"price\":\"" + bestBid
                        + "\",\"size\":\"100\"}],\"asks\":[" + levels + "],\"min_order_size\":\"5\",\"tick_size\":\""
                        + tick + "\",\"neg_risk\":false}")));
    }

    /** The conditional-token balance of {@code token} we hold (what a SELL is capped to). */
    public void stubHeld(String token, String shares) {
        server.stubFor(get(urlPathEqualTo("/balance-allowance/update")).willReturn(okJson("{}")));
        server.stubFor(get(urlPathEqualTo("/balance-allowance")).withQueryParam("asset_type", equalTo("CONDITIONAL"))
                .withQueryParam("token_id", equalTo(token))
                .willReturn(okJson("{\"balance\":\"" + OrderAmounts.toBaseUnits(new BigDecimal(shares)) + "\"}")));
    }

    /** The orders the fake CLOB took, by hash. */
    public Map<String, JsonNode> orders() {
        Map<String, JsonNode> out = new java.util.HashMap<>();
        orders.byHash.forEach((hash, taken) -> out.put(hash, taken.order()));
        return out;
    }

    /** Shares matched of the order the CLOB took under this hash (null if it took none). */
    public BigDecimal sharesMatched(String hash) {
        ClobOrders.Taken taken = orders.byHash.get(hash);
        return taken == null ? null : taken.sharesMatched();
    }

    /** Marketable orders match at this price (price improvement when better than their limit); null: at the limit. */
    public void fillAt(String price) {
        orders.fillPrice = price == null ? null : new BigDecimal(price);
    }

    /** Only this fraction of each order can match: a FOK is killed whole, a FAK fills that much and the rest dies. */
    public void fillFraction(String fraction) {
        orders.fillFraction = new BigDecimal(fraction);
    }

    /** The next {@code count} order posts get 429 with Retry-After and the Poly-RateLimit-* headers. */
    public void rateLimitNextOrders(int count, int retryAfterSeconds) {
        String state = Scenario.STARTED;
        for (int i = 1; i <= count; i++) {
            String next = "limited-" + i;
            server.stubFor(post(urlEqualTo("/order")).inScenario("rate limited").whenScenarioStateIs(state)
                    .willSetStateTo(next).willReturn(errorAnswer(429, "Too Many Requests")
                            .withHeader("Retry-After", Integer.toString(retryAfterSeconds))
                            .withHeader("Poly-RateLimit-Limit", "3500")
                            .withHeader("Poly-RateLimit-Remaining", "0")
                            .withHeader("Poly-RateLimit-Reset", Integer.toString(retryAfterSeconds))));
            state = next;
        }
    }

    /**
     * The next {@code count} {@code GET path} calls (market data or balance: {@code /book}, {@code /tick-size},
     * {@code /neg-risk}, {@code /balance-allowance}) answer {@code status}; the ones after get the stub from before.
     */
    public void failNextMarketData(String path, int count, int status) {
        String state = Scenario.STARTED;
        for (int i = 1; i <= count; i++) {
            String next = "failed-" + i;
            server.stubFor(get(urlPathEqualTo(path)).atPriority(1).inScenario("outage " + path)
                    .whenScenarioStateIs(state).willSetStateTo(next)
                    .willReturn(errorAnswer(status, status == 503 ? "Service Unavailable" : "error")));
            state = next;
        }
    }

    /** Our collateral (pUSD) and, from the Data API, no positions: what the monitor reconciles the book with. */
    public void stubAccount(String usdc) {
        server.stubFor(get(urlPathEqualTo("/balance-allowance")).withQueryParam("asset_type", equalTo("COLLATERAL"))
                .willReturn(okJson("{\"balance\":\"" + OrderAmounts.toBaseUnits(new BigDecimal(usdc)) + "\"}")));
        server.stubFor(get(urlPathEqualTo("/positions")).willReturn(okJson("[]")));
    }

    /** The Data API reports that we (the funder) hold {@code shares} of {@code token}, bought at {@code avgPrice}. */
    public void stubPosition(String token, String shares, String avgPrice) {
        server.stubFor(get(urlPathEqualTo("/positions")).willReturn(okJson("[{\"proxyWallet\":\"" + FUNDER
                + "\",\"asset\":\"" + token + "\",\"size\":" + shares + ",\"avgPrice\":" + avgPrice + "}]")));
    }

    /**
     * The Data API reports that we hold {@code count} positions: {@code shares} of {@code token} at row
     * {@code tokenRow}, one share of a token of its own in every other row. Served as the Data API pages them:
     * {@code limit} rows (at most 500) from {@code offset}.
     */
    public void stubManyPositions(int count, int tokenRow, String token, String shares) {
        stubManyPositions(null, count, tokenRow, token, shares);
    }

    /** {@link #stubManyPositions(int, int, String, String)} for {@code wallet}'s {@code /positions} only (null: any). */
    public void stubManyPositions(String wallet, int count, int tokenRow, String token, String shares) {
        List<String> rows = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            String asset = i == tokenRow ? token : Integer.toString(1_000_000 + i);
            rows.add("{\"proxyWallet\":\"" + (wallet == null ? FUNDER : wallet) + "\",\"asset\":\"" + asset + "\",\"size\":"
                    + (i == tokenRow ? shares : "1") + ",\"avgPrice\":0.5}");
        }
        for (int offset = 0; offset < count + 500; offset += 500) {
            String page = "[" + String.join(",", rows.subList(Math.min(offset, count), Math.min(offset + 500, count))) + "]";
            var stub = get(urlPathEqualTo("/positions")).atPriority(1);
            var zero = get(urlPathEqualTo("/positions")).atPriority(1).withQueryParam("offset", equalTo("0"));
            if (wallet != null) {
                stub = stub.withQueryParam("user", equalTo(wallet.toLowerCase(java.util.Locale.ROOT)));
                zero = zero.withQueryParam("user", equalTo(wallet.toLowerCase(java.util.Locale.ROOT)));
            }
            stub = offset == 0 ? stub.withQueryParam("offset", com.github.tomakehurst.wiremock.client.WireMock.absent())
                    : stub.withQueryParam("offset", equalTo(Integer.toString(offset)));
            server.stubFor(stub.willReturn(okJson(page)));
            if (offset == 0) {
                server.stubFor(zero.willReturn(okJson(page)));
            }
        }
    }

    /** The Data API answers the trader's {@code /activity} with these rows (all of them: every poll overlaps them). */
    public void serveActivity(String wallet, Collection<String> rows) {
        server.stubFor(get(urlPathEqualTo("/activity")).withQueryParam("user", equalTo(wallet))
                .willReturn(okJson("[" + String.join(",", rows) + "]")));
    }

    /** One {@code /activity} row, camelCase as the Data API writes it. */
    public static String activityRow(String wallet, String type, String tx, long ts, String asset, String side,
                                     String size, String price) {
        return "{\"proxyWallet\":\"" + wallet + "\",\"timestamp\":" + ts + ",\"conditionId\":\"0x" + "cd".repeat(32)
                + "\",\"type\":\"" + type + "\",\"size\":" + size + ",\"usdcSize\":1.0,\"transactionHash\":\"" + tx
                + "\",\"price\":" + price + ",\"asset\":\"" + asset + "\",\"side\":\"" + side
                + "\",\"outcomeIndex\":0,\"outcome\":\"Yes\",\"title\":\"Will it rain?\"}";
    }

    public List<LoggedRequest> requests(String method, String path) {
        return server.findAll(anyRequestedFor(urlPathEqualTo(path))).stream()
                .filter(r -> r.getMethod().value().equals(method)).toList();
    }

    // ------------------------------------------------------------------ checks of what the venue received

    /** The five L2 headers, the HMAC recomputed independently over timestamp + method + path + exact body. */
    public static void assertL2(LoggedRequest r) throws Exception {
        String ts = r.getHeader("POLY_TIMESTAMP");
        String path = URI.create(r.getUrl()).getPath();
        String message = ts + r.getMethod().value() + path + r.getBodyAsString();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getUrlDecoder().decode(SECRET), "HmacSHA256"));
        String expected = Base64.getUrlEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.getHeader("POLY_SIGNATURE")).as("HMAC of %s %s", r.getMethod(), path).isEqualTo(expected);
        assertThat(ts).as("POLY_TIMESTAMP in seconds").matches("[0-9]{10}");
        assertThat(r.getHeader("POLY_ADDRESS")).isEqualTo(SIGNER); // the signer EOA, not the funder
        assertThat(r.getHeader("POLY_API_KEY")).isEqualTo(API_KEY);
        assertThat(r.getHeader("POLY_PASSPHRASE")).isEqualTo(PASSPHRASE);
    }

    /**
     * Checks the body shape of a posted V2 order, rebuilds the signed struct from the JSON, recomputes the digest
     * (it must be {@code expectedHash} unless that is null) and recovers the signer. Returns the order.
     */
    public static JsonNode assertSignedOrder(LoggedRequest r, OrderDomain domain, boolean negRisk, String expectedHash) {
        JsonNode body = Json.read("posted order", r.getBodyAsString());
        assertThat(fields(body)).containsExactlyInAnyOrder("order", "owner", "orderType", "deferExec", "postOnly");
        assertThat(body.get("owner").asText()).isEqualTo(API_KEY);
        assertThat(body.get("deferExec").asBoolean()).isFalse();
        assertThat(body.get("postOnly").asBoolean()).isFalse();
        JsonNode o = body.get("order");
        assertThat(fields(o)).containsExactlyInAnyOrder("salt", "maker", "signer", "tokenId", "makerAmount",
                "takerAmount", "side", "signatureType", "timestamp", "expiration", "metadata", "builder", "signature");
        assertThat(o.get("salt").isIntegralNumber()).as("salt is a JSON number").isTrue();
        assertThat(o.get("makerAmount").isTextual()).isTrue();
        assertThat(o.get("takerAmount").asText()).matches("[0-9]+");
        assertThat(o.get("expiration").asText()).isEqualTo("0");
        assertThat(o.get("maker").asText()).isEqualTo(FUNDER);
        assertThat(o.get("signer").asText()).isEqualTo(SIGNER);
        assertThat(o.get("signatureType").asInt()).isEqualTo(2);
        byte[] digest = digest(o, domain, negRisk);
        if (expectedHash != null) {
            assertThat(Eip712.hex(digest)).as("order hash = persisted venue order id").isEqualTo(expectedHash);
        }
        assertThat(Web3jOrderDigest.recoverSigner(digest, o.get("signature").asText())).as("recovered signer")
                .isEqualToIgnoringCase(SIGNER);
        return o;
    }

    /**
     * The EIP-712 digest of a posted V2 order, rebuilt from its JSON by web3j's {@code StructuredDataEncoder} (not
     * our {@link Eip712}): the order hash the CLOB knows it by.
     */
    static byte[] digest(JsonNode o, OrderDomain domain, boolean negRisk) {
        return Web3jOrderDigest.digest(o, domain, negRisk);
    }

    public static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    /** Shares of a posted order: the taker amount of a BUY, the maker amount of a SELL (6-decimal base units). */
    public static BigDecimal shares(JsonNode order) {
        String field = order.get("side").asText().equals("BUY") ? "takerAmount" : "makerAmount";
        return OrderAmounts.fromBaseUnits(new BigDecimal(order.get(field).asText()));
    }

    /** USDC of a posted order: the maker amount of a BUY, the taker amount of a SELL. */
    public static BigDecimal usdc(JsonNode order) {
        String field = order.get("side").asText().equals("BUY") ? "makerAmount" : "takerAmount";
        return OrderAmounts.fromBaseUnits(new BigDecimal(order.get(field).asText()));
    }

    /** The stateful part of the CLOB: orders taken by hash, how they filled, and their lookup. */
    private static final class ClobOrders implements ResponseDefinitionTransformerV2 {
        /** An order the CLOB took: as posted, its type, what matched (shares and pUSD, not base units), and when. */
        record Taken(JsonNode order, String orderType, BigDecimal sharesMatched, BigDecimal usdcMatched, long matchTime) {
        }

        private final Map<String, Taken> byHash = new ConcurrentHashMap<>();
        private volatile String placeStatus = "matched";
        private volatile BigDecimal fillPrice;
        private volatile BigDecimal fillFraction = BigDecimal.ONE;
        private volatile boolean loseEvery;
        private volatile boolean hidden;
        private volatile boolean forgetMatched;
        private volatile boolean tradeIdsOnly;
        private volatile int otherTrades;
        private volatile int tradesPageSize = 100;
        private volatile Clock time = Clock.systemUTC();
        private volatile boolean unmatchedTaken = true;

        @Override
        public String getName() {
            return ORDERS;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            LoggedRequest r = event.getRequest();
            if (URI.create(r.getUrl()).getPath().equals("/time")) {
                return okJson(Long.toString(time.instant().getEpochSecond())).build();
            }
            String ts = r.getHeader("POLY_TIMESTAMP");
            if (ts != null && (!ts.matches("[0-9]{1,12}")
                    || Math.abs(Long.parseLong(ts) - time.instant().getEpochSecond()) > TIMESTAMP_WINDOW.toSeconds())) {
                // modeled: the CLOB refuses a stale header timestamp (its window and message are not published)
                return errorAnswer(401, "Unauthorized/Invalid api key").build();
            }
            if (r.getMethod().value().equals("GET") && URI.create(r.getUrl()).getPath().equals("/data/trades")) {
                return trades(r);
            }
            if (!r.getMethod().value().equals("POST")) {
                return lookup(r);
            }
            var parameters = event.getResponseDefinition().getTransformerParameters();
            return place(r, parameters != null && parameters.getBoolean(LOSE_ANSWER, false));
        }

        private ResponseDefinition place(LoggedRequest r, boolean loseAnswer) {
            JsonNode body = Json.read("posted order", r.getBodyAsString());
            JsonNode order = body.get("order");
            byte[] digest = digest(order, OrderDomain.POLYGON_V2, false);
            String hash = Eip712.hex(digest);
            String signer;
            try {
                signer = Web3jOrderDigest.recoverSigner(digest, order.get("signature").asText());
            } catch (IllegalArgumentException e) {
                signer = "";
            }
            if (!signer.equalsIgnoreCase(order.get("signer").asText())) {
                return errorAnswer(400, "invalid signature").build();
            }
            String type = body.path("orderType").asText("GTC");
            BigDecimal shares = shares(order);
            BigDecimal matched = fillFraction.compareTo(BigDecimal.ONE) >= 0 ? shares
                    : shares.multiply(fillFraction).setScale(2, RoundingMode.DOWN);
            boolean sell = order.get("side").asText().equals("SELL");
            if (!byHash.containsKey(hash) && matched.compareTo(shares) < 0 && type.equals("FOK")) {
                return errorAnswer(400, "order couldn't be fully filled. FOK orders are fully filled or killed.").build();
            }
            BigDecimal usdc = usdc(order);
            if (placeStatus.equals("matched") && fillPrice != null) {
                if (sell) {
                    usdc = matched.multiply(fillPrice).setScale(6, RoundingMode.DOWN);
                } else {
                    // the whole pUSD amount buys more shares at the better price
                    matched = usdc.multiply(fillFraction).divide(fillPrice, 2, RoundingMode.DOWN);
                    usdc = usdc.multiply(fillFraction).setScale(6, RoundingMode.DOWN);
                }
            } else {
                usdc = usdc.multiply(matched).divide(shares, 6, RoundingMode.DOWN);
            }
            if (placeStatus.equals("unmatched") && !unmatchedTaken) {
                return okJson(Json.write(Json.object().put("success", true).put("errorMsg", "").put("orderID", hash)
                        .put("status", "unmatched"))).build();
            }
            boolean fresh = byHash.putIfAbsent(hash, new Taken(order, type, matched, usdc,
                    time.instant().getEpochSecond())) == null;
            if (loseAnswer || loseEvery) {
                return errorAnswer(504, "Gateway Timeout").build();
            }
            Taken earlier = byHash.get(hash);
            if (!fresh && forgetMatched && sell && earlier.sharesMatched().signum() > 0) {
                // the CLOB forgot the done order: the re-post is checked as a new one, and the shares it would sell
                // were sold by the first
                return errorAnswer(400, "not enough balance / allowance: the balance is not enough -> balance: 0, "
                        + "order amount: " + order.get("makerAmount").asText()).build();
            }
            if (!fresh) {
                return errorAnswer(400, "order " + hash + " is invalid. Duplicated.").build();
            }
            ObjectNode answer = Json.object().put("success", true).put("errorMsg", "").put("orderID", hash)
                    .put("status", placeStatus);
            if (placeStatus.equals("matched") && tradeIdsOnly) {
                answer.putArray("transactionsHashes");
                answer.putArray("tradeIDs").add("trade-" + hash.substring(2, 14));
                return okJson(Json.write(answer)).build();
            }
            if (placeStatus.equals("matched")) {
                // what we gave and what we got, in base units (the adapter reads shares or base units)
                BigDecimal making = sell ? matched : usdc;
                BigDecimal taking = sell ? usdc : matched;
                answer.put("makingAmount", Long.toString(OrderAmounts.toBaseUnits(making)))
                        .put("takingAmount", Long.toString(OrderAmounts.toBaseUnits(taking)));
            }
            answer.putArray("transactionsHashes");
            answer.putArray("tradeIDs");
            return okJson(Json.write(answer)).build(); // our Jackson: WireMock's is shaded
        }

        private ResponseDefinition lookup(LoggedRequest r) {
            String hash = URI.create(r.getUrl()).getPath().substring("/data/order/".length());
            Taken taken = hidden ? null : byHash.get(hash);
            if (taken == null) {
                return aResponse().withStatus(404).withBody("{\"error\":\"order not found\"}").build();
            }
            if (forgetMatched && taken.sharesMatched().signum() > 0) {
                return okJson("null").build();
            }
            JsonNode order = taken.order();
            BigDecimal shares = shares(order);
            ObjectNode answer = Json.object().put("id", hash).put("status", "MATCHED").put("owner", API_KEY)
                    .put("maker_address", order.get("maker").asText()).put("market", "0x" + "cd".repeat(32))
                    .put("asset_id", order.get("tokenId").asText()).put("side", order.get("side").asText())
                    .put("original_size", shares.toPlainString())
                    .put("size_matched", taken.sharesMatched().toPlainString())
                    // the order's limit price, as the CLOB reports it (not the fills')
                    .put("price", usdc(order).divide(shares, MathContext.DECIMAL64).toPlainString())
                    .put("outcome", "Yes").put("created_at", 1762077600).put("expiration", "0")
                    .put("order_type", taken.orderType());
            answer.putArray("associate_trades");
            return okJson(Json.write(answer)).build(); // our Jackson: WireMock's is shaded
        }

        /** {@code GET /data/trades}: our trades, L2-signed, filtered by maker_address, asset_id and after, paged by cursor. */
        private ResponseDefinition trades(LoggedRequest r) {
            try {
                assertL2(r);
            } catch (Exception | AssertionError e) {
                return errorAnswer(401, "Unauthorized/Invalid api key").build();
            }
            String maker = r.queryParameter("maker_address").isPresent() ? r.queryParameter("maker_address").firstValue() : null;
            String asset = r.queryParameter("asset_id").isPresent() ? r.queryParameter("asset_id").firstValue() : null;
            long after = r.queryParameter("after").isPresent() ? Long.parseLong(r.queryParameter("after").firstValue()) : 0;
            long now = time.instant().getEpochSecond();
            List<ObjectNode> all = new java.util.ArrayList<>();
            for (int i = 0; i < otherTrades; i++) {
                all.add(trade("0x" + String.format("%064x", 0xabc000 + i), FUNDER, TOKEN, "BUY", BigDecimal.ONE,
                        new BigDecimal("0.5"), now));
            }
            if (!hidden) {
                byHash.forEach((hash, taken) -> {
                    if (taken.sharesMatched().signum() > 0) {
                        all.add(trade(hash, taken.order().get("maker").asText(), taken.order().get("tokenId").asText(),
                                taken.order().get("side").asText(), taken.sharesMatched(),
                                taken.usdcMatched().divide(taken.sharesMatched(), MathContext.DECIMAL64), taken.matchTime()));
                    }
                });
            }
            List<ObjectNode> matching = all.stream()
                    .filter(t -> maker == null || t.get("maker_address").asText().equalsIgnoreCase(maker))
                    .filter(t -> asset == null || t.get("asset_id").asText().equals(asset))
                    .filter(t -> t.get("match_time").asLong() >= after).toList();
            int from = 0;
            if (r.queryParameter("next_cursor").isPresent()) {
                from = Integer.parseInt(new String(Base64.getDecoder().decode(r.queryParameter("next_cursor").firstValue()),
                        StandardCharsets.UTF_8));
            }
            int to = Math.min(matching.size(), from + tradesPageSize);
            ObjectNode page = Json.object();
            var data = page.putArray("data");
            matching.subList(from, to).forEach(data::add);
            page.put("next_cursor", to >= matching.size() ? "LTE="
                    : Base64.getEncoder().encodeToString(Integer.toString(to).getBytes(StandardCharsets.UTF_8)));
            page.put("limit", tradesPageSize).put("count", to - from);
            return okJson(Json.write(page)).build();
        }

        /** One trade of ours as the taker of {@code orderHash}, as {@code /data/trades} lists it. */
        private static ObjectNode trade(String orderHash, String maker, String token, String side, BigDecimal size,
                                        BigDecimal price, long matchTime) {
            ObjectNode t = Json.object().put("id", "trade-" + orderHash.substring(2, 14))
                    .put("taker_order_id", orderHash).put("market", "0x" + "cd".repeat(32)).put("asset_id", token)
                    .put("side", side).put("size", size.toPlainString()).put("fee_rate_bps", "0")
                    .put("price", price.stripTrailingZeros().toPlainString()).put("status", "MATCHED")
                    .put("match_time", Long.toString(matchTime)).put("last_update", Long.toString(matchTime)).put("outcome", "Yes")
                    .put("bucket_index", 0).put("owner", API_KEY).put("maker_address", maker)
                    .put("transaction_hash", "0x" + "ef".repeat(32)).put("trader_side", "TAKER");
            t.putArray("maker_orders");
            return t;
        }
    }
}

package io.copytrader.polymarket;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.copytrader.venue.ResignRequiredException;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;
import io.copytrader.paper.MutableClock;
import io.copytrader.venue.FeedPage;
import io.copytrader.venue.FeedRow;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.JdkVenueHttpClient;
import io.copytrader.venue.OrderDeniedException;
import io.copytrader.venue.OrderState;
import io.copytrader.venue.OrderStatus;
import io.copytrader.venue.PlaceResult;
import io.copytrader.venue.PreparedOrder;
import io.copytrader.venue.TransientVenueException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A contract fake of the Data API and the CLOB (WireMock on a loopback port) driven through the real adapters and
 * {@link JdkVenueHttpClient}. It checks what the venue would receive: L2 headers (HMAC recomputed here), the signer
 * recovered from each posted order's EIP-712 signature, and the body shapes of contract 2.2.
 */
@Timeout(30)
class PolymarketContractTest {
    static final String KEY = PolymarketFake.KEY;
    static final String SIGNER = PolymarketFake.SIGNER;
    static final String FUNDER = PolymarketFake.FUNDER;
    static final String API_KEY = PolymarketFake.API_KEY;
    static final String SECRET = PolymarketFake.SECRET;
    static final String PASSPHRASE = PolymarketFake.PASSPHRASE;
    static final String TOKEN = PolymarketFake.TOKEN;
    static final TraderId TARGET = PolymarketFeedAdapterTest.TARGET;
    static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");

    private PolymarketFake fake;
    private WireMockServer venue;
    private JdkVenueHttpClient http;
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @BeforeEach
    void startVenue() {
        fake = PolymarketFake.start();
        fake.clock(clock);
        venue = fake.server();
        http = new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    @AfterEach
    void stopVenue() {
        fake.close();
    }

    String url() {
        return "http://127.0.0.1:" + venue.port();
    }

    PolymarketConfig config(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of("VENUE", "polymarket", "TARGET_TRADERS", TARGET.value(),
                "POLY_PRIVATE_KEY", KEY, "POLY_API_KEY", API_KEY, "POLY_API_SECRET", SECRET,
                "POLY_PASSPHRASE", PASSPHRASE, "POLY_FUNDER", FUNDER, "POLY_SIGNATURE_TYPE", "2",
                "POLY_CLOB_URL", url(), "POLY_DATA_API_URL", url()));
        env.putAll(overrides);
        env.values().removeIf(String::isEmpty);
        return PolymarketConfig.from(env::get);
    }

    PolymarketExchangeAdapter exchange() {
        return PolymarketVenue.exchange(config(Map.of()), http, clock);
    }

    static CopyIntent intent(String tradeId, Side side, String targetPrice, String quantity, String limit) {
        BigDecimal price = new BigDecimal(targetPrice);
        DetectedTrade trade = new DetectedTrade(new SourceTradeId(tradeId), TARGET, new InstrumentId(TOKEN), "Yes", side,
                price, new BigDecimal("100"), Decimals.notional(price, new BigDecimal("100")), NOW.minusSeconds(12),
                NOW.minusSeconds(2));
        BigDecimal q = new BigDecimal(quantity);
        BigDecimal l = new BigDecimal(limit);
        return new CopyIntent(trade.clientOrderId(), trade, trade.instrument(), side, l, q, Decimals.notional(l, q));
    }

    PlaceResult place(PolymarketExchangeAdapter exchange, CopyIntent intent, PreparedOrder prepared) throws Exception {
        return exchange.onPlaceReply(intent, http.execute(prepared.call()));
    }

    // ------------------------------------------------------------------ checks of what the venue received

    /** The L2 headers (HMAC recomputed by the fake), signed at the fixed clock's second. */
    static void assertL2(LoggedRequest r) throws Exception {
        PolymarketFake.assertL2(r);
        assertThat(r.getHeader("POLY_TIMESTAMP")).isEqualTo(Long.toString(NOW.getEpochSecond()));
    }

    /** A V2 order signed by our signer for our funder, on {@link #TOKEN}, timestamped at the source trade's venue time (tsEvent). */
    static JsonNode assertSignedOrder(LoggedRequest r, OrderDomain domain, boolean negRisk, String expectedHash) {
        JsonNode o = PolymarketFake.assertSignedOrder(r, domain, negRisk, expectedHash);
        assertThat(o.get("timestamp").asText()).isEqualTo(Long.toString(NOW.minusSeconds(12).toEpochMilli()));
        assertThat(o.get("tokenId").asText()).isEqualTo(TOKEN);
        return o;
    }

    List<LoggedRequest> requests(String method, String path) {
        return fake.requests(method, path);
    }

    // ------------------------------------------------------------------ scenarios

    @Test
    void shouldPlaceASignedMarketableBuyAtTheSlippageCapWhenTheBestAskIsWithinIt() throws Exception {
        venue.stubFor(post(urlEqualTo("/order")).willReturn(okJson("{\"success\":true,\"errorMsg\":\"\",\"orderID\":\"0xfeed\","
                + "\"status\":\"matched\",\"makingAmount\":\"5.3\",\"takingAmount\":\"10\",\"transactionsHashes\":[],\"tradeIDs\":[]}")));
        PolymarketExchangeAdapter exchange = exchange();
        // 1. the target bought at 0.52; 2% slippage caps us at 0.5304 -> 0.53 on the 0.01 tick; best ask 0.53
        CopyIntent buy = intent("t-buy", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder prepared = exchange.prepareOrder(buy);
        // 2. the engine sends it; the venue says matched
        PlaceResult result = place(exchange, buy, prepared);
        assertThat(result).isInstanceOfSatisfying(PlaceResult.Accepted.class, a -> {
            assertThat(a.status().state()).isEqualTo(OrderState.FILLED);
            assertThat(a.status().filledQuantity()).isEqualByComparingTo("10");
            assertThat(a.status().avgFillPrice()).isEqualByComparingTo("0.53");
        });
        // 3. what the venue received: L2 headers, a V2 order signed by our signer for our funder
        LoggedRequest posted = requests("POST", "/order").get(0);
        assertL2(posted);
        assertThat(posted.getHeader("Content-Type")).startsWith("application/json");
        JsonNode order = assertSignedOrder(posted, OrderDomain.POLYGON_V2, false, prepared.venueOrderId().value());
        assertThat(order.get("side").asText()).isEqualTo("BUY");
        assertThat(order.get("makerAmount").asText()).isEqualTo("5300000"); // 10 x 0.53 USDC
        assertThat(order.get("takerAmount").asText()).isEqualTo("10000000"); // 10 shares
        assertThat(Json.read("b", posted.getBodyAsString()).get("orderType").asText()).isEqualTo("FOK");
        // 4. the same intent signs the same order (same id); metadata came from the cache, the book fresh
        assertThat(exchange.prepareOrder(buy).venueOrderId()).isEqualTo(prepared.venueOrderId());
        assertThat(requests("GET", "/tick-size")).hasSize(1);
        assertThat(requests("GET", "/neg-risk")).hasSize(1);
        assertThat(requests("GET", "/book")).hasSize(2);
        assertThat(requests("GET", "/version")).hasSize(1);
    }

    @Test
    void shouldReadAMarketsTickSizeAgainAfterTheWallClockSteppedBack() throws Exception {
        MutableClock stepping = new MutableClock(NOW);
        fake.clock(stepping);
        PolymarketExchangeAdapter exchange = PolymarketVenue.exchange(config(Map.of()), http, stepping);
        CopyIntent buy = intent("t-buy", Side.BUY, "0.52", "10", "0.60");
        exchange.prepareOrder(buy);
        exchange.prepareOrder(buy);
        assertThat(requests("GET", "/tick-size")).as("kept for its time to live").hasSize(1);

        stepping.advance(Duration.ofHours(-1)); // NTP's first sync after a boot, a VM restored

        exchange.prepareOrder(buy);
        assertThat(requests("GET", "/tick-size")).as("read again, not an hour past its time to live").hasSize(2);
    }

    @Test
    void shouldSignForTheNegRiskExchangeWhenTheMarketIsNegRisk() throws Exception {
        venue.stubFor(get(urlPathEqualTo("/neg-risk")).willReturn(okJson("{\"neg_risk\":true}")));
        venue.stubFor(post(urlEqualTo("/order")).willReturn(okJson("{\"success\":true,\"errorMsg\":\"\",\"orderID\":\"0x1\",\"status\":\"live\"}")));
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent buy = intent("t-neg", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder prepared = exchange.prepareOrder(buy);
        assertThat(place(exchange, buy, prepared)).isInstanceOfSatisfying(PlaceResult.Accepted.class,
                a -> assertThat(a.status().state()).isEqualTo(OrderState.OPEN));
        assertSignedOrder(requests("POST", "/order").get(0), OrderDomain.POLYGON_V2, true, prepared.venueOrderId().value());
    }

    @Test
    void shouldCapASellToTheRefreshedBalanceAndPriceItAtTheFloor() throws Exception {
        venue.stubFor(get(urlPathEqualTo("/balance-allowance/update")).willReturn(okJson("{}")));
        venue.stubFor(get(urlPathEqualTo("/balance-allowance")).willReturn(okJson("{\"balance\":\"7250000\",\"allowances\":{}}")));
        venue.stubFor(post(urlEqualTo("/order")).willReturn(okJson("{\"success\":true,\"errorMsg\":\"\",\"orderID\":\"0x2\","
                + "\"status\":\"matched\",\"makingAmount\":\"7250000\",\"takingAmount\":\"3552500\"}")));
        PolymarketExchangeAdapter exchange = exchange();
        // the target sold at 0.50; we want 10 but hold 7.25 after fees; floor 0.49; best bid 0.50
        CopyIntent sell = intent("t-sell", Side.SELL, "0.50", "10", "0.01");
        PreparedOrder prepared = exchange.prepareOrder(sell);
        PlaceResult result = place(exchange, sell, prepared);
        assertThat(result).isInstanceOfSatisfying(PlaceResult.Accepted.class, a ->
                assertThat(a.status().filledQuantity()).isEqualByComparingTo("7.25")); // base units understood
        LoggedRequest update = requests("GET", "/balance-allowance/update").get(0);
        assertL2(update);
        assertThat(update.getUrl()).contains("asset_type=CONDITIONAL").contains("token_id=" + TOKEN)
                .contains("signature_type=2");
        assertL2(requests("GET", "/balance-allowance").get(0));
        JsonNode order = assertSignedOrder(requests("POST", "/order").get(0), OrderDomain.POLYGON_V2, false,
                prepared.venueOrderId().value());
        assertThat(order.get("side").asText()).isEqualTo("SELL");
        assertThat(order.get("makerAmount").asText()).isEqualTo("7250000");
        assertThat(order.get("takerAmount").asText()).isEqualTo("3552500"); // 7.25 x 0.49
    }

    @Test
    void shouldDenyWithoutSendingWhenNothingIsWithinTheCapOrNothingIsHeld() {
        PolymarketExchangeAdapter exchange = exchange();
        // target bought at 0.40: cap 0.408 -> 0.40; best ask 0.53 (taking asks[0] = 0.99 would be the classic bug)
        assertThatThrownBy(() -> exchange.prepareOrder(intent("t-far", Side.BUY, "0.40", "10", "0.60")))
                .isInstanceOfSatisfying(OrderDeniedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.EXCHANGE_NOT_FILLED))
                .hasMessageContaining("best ask 0.53");
        assertThatThrownBy(() -> exchange.prepareOrder(intent("t-tiny", Side.BUY, "0.52", "4", "0.60")))
                .isInstanceOfSatisfying(OrderDeniedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SIZING_TOO_SMALL));
        venue.stubFor(get(urlPathEqualTo("/balance-allowance/update")).willReturn(okJson("{}")));
        venue.stubFor(get(urlPathEqualTo("/balance-allowance")).willReturn(okJson("{\"balance\":\"0\"}")));
        assertThatThrownBy(() -> exchange.prepareOrder(intent("t-none", Side.SELL, "0.50", "10", "0.01")))
                .isInstanceOfSatisfying(OrderDeniedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.RISK_NOTHING_TO_SELL));
        assertThat(requests("POST", "/order")).isEmpty();
    }

    @Test
    void shouldDenyRatherThanPriceBeyondTheCapWhenTheCapIsOffTheTicksRange() {
        // the target bought at 0.004 while the market's tick was 0.001; the tick is 0.01 again when we copy: the cap
        // 0.00408 rounds down to 0, and the lowest valid price, 0.01, is two and a half times the cap
        fake.stubBook(TOKEN, "0.005", "0.01");
        PolymarketExchangeAdapter exchange = exchange();
        assertThatThrownBy(() -> exchange.prepareOrder(intent("t-low", Side.BUY, "0.004", "1000", "0.00408")))
                .isInstanceOfSatisfying(OrderDeniedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.EXCHANGE_NOT_FILLED));
        // the mirror image: without slippage, a SELL of what the target sold at 0.995 has its floor at 0.995, which
        // rounds up to 1.00; the highest valid price, 0.99, is below the floor
        fake.stubHeld(TOKEN, "100");
        fake.stubBook(TOKEN, "0.99", "0.995");
        PolymarketExchangeAdapter noSlippage = PolymarketVenue.exchange(config(Map.of("MAX_SLIPPAGE", "0")), http, clock);
        assertThatThrownBy(() -> noSlippage.prepareOrder(intent("t-high", Side.SELL, "0.995", "10", "0.995")))
                .isInstanceOfSatisfying(OrderDeniedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.EXCHANGE_NOT_FILLED));
        assertThat(requests("POST", "/order")).isEmpty();
    }

    @Test
    void shouldClassifyTheVenuesErrorAnswers() throws Exception {
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent buy = intent("t-err", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder prepared = exchange.prepareOrder(buy);
        venue.stubFor(post(urlEqualTo("/order")).willReturn(aResponse().withStatus(400).withBody(
                "{\"error\":\"not enough balance / allowance: the balance is not enough -> balance: 4893500, order amount: 5000000\"}")));
        assertThat(place(exchange, buy, prepared)).isInstanceOfSatisfying(PlaceResult.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Reason.EXCHANGE_INSUFFICIENT_BALANCE));
        venue.stubFor(post(urlEqualTo("/order")).willReturn(aResponse().withStatus(400).withBody(
                "{\"error\":\"order couldn't be fully filled. FOK orders are fully filled or killed.\"}")));
        assertThat(place(exchange, buy, prepared)).isInstanceOfSatisfying(PlaceResult.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Reason.EXCHANGE_NOT_FILLED));
        // success:true with an errorMsg: the errorMsg wins
        venue.stubFor(post(urlEqualTo("/order")).willReturn(okJson(
                "{\"success\":true,\"errorMsg\":\"order 0x1 is invalid. Duplicated.\",\"orderID\":\"0x1\",\"status\":\"\"}")));
        assertThat(place(exchange, buy, prepared)).isInstanceOfSatisfying(PlaceResult.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Reason.EXCHANGE_DUPLICATE_ORDER));
        venue.stubFor(post(urlEqualTo("/order")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")
                .withBody("{\"error\":\"Too Many Requests\"}")));
        assertThatThrownBy(() -> place(exchange, buy, prepared)).isInstanceOfSatisfying(TransientVenueException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        });
        venue.stubFor(post(urlEqualTo("/order")).willReturn(aResponse().withStatus(425)));
        assertThatThrownBy(() -> place(exchange, buy, prepared)).isInstanceOf(TransientVenueException.class);
    }

    @Test
    void shouldReResolveTheVersionOnceOnAVersionMismatch() throws Exception {
        venue.stubFor(post(urlEqualTo("/order")).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":\"order_version_mismatch\"}")));
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent buy = intent("t-version", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder prepared = exchange.prepareOrder(buy);
        // the CLOB still says 2: re-resolved once, then a reject (no loop)
        assertThat(place(exchange, buy, prepared)).isInstanceOfSatisfying(PlaceResult.Rejected.class,
                r -> assertThat(r.message()).contains("order_version_mismatch")
                        .contains("reports version 2, the one we signed"));
        assertThat(requests("GET", "/version")).hasSize(2);
        assertThat(place(exchange, buy, prepared)).isInstanceOf(PlaceResult.Rejected.class);
        assertThat(requests("GET", "/version")).as("once per order").hasSize(2);
    }

    @Test
    void shouldAskToSignAgainWhenTheVersionChangedToOneWeSign() throws Exception {
        OrderDomain v3 = new OrderDomain("3", 137, "0xe3333700cA9d93003F00f0F71f8515005F6c00Aa",
                "0xe3333700cA9d93003F00f0F71f8515005F6c00Aa");
        PolymarketConfig cfg = config(Map.of());
        PolymarketExchangeAdapter exchange = new PolymarketExchangeAdapter(cfg, cfg.credentials(), http, clock,
                Map.of(2, OrderDomain.POLYGON_V2, 3, v3));
        assertThat(exchange.checkVersion()).isEqualTo(2);
        CopyIntent buy = intent("t-resign", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder v2Order = exchange.prepareOrder(buy);
        venue.stubFor(post(urlEqualTo("/order")).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":\"order_version_mismatch\"}")));
        venue.stubFor(get(urlEqualTo("/version")).willReturn(okJson("{\"version\":3}")));
        assertThatThrownBy(() -> place(exchange, buy, v2Order)).isInstanceOf(ResignRequiredException.class);
        venue.stubFor(post(urlEqualTo("/order")).willReturn(okJson("{\"success\":true,\"errorMsg\":\"\",\"orderID\":\"0x3\",\"status\":\"live\"}")));
        PreparedOrder v3Order = exchange.prepareOrder(buy);
        assertThat(v3Order.venueOrderId()).isNotEqualTo(v2Order.venueOrderId());
        assertThat(place(exchange, buy, v3Order)).isInstanceOf(PlaceResult.Accepted.class);
        List<LoggedRequest> posts = requests("POST", "/order");
        assertSignedOrder(posts.get(posts.size() - 1), v3, false, v3Order.venueOrderId().value());
    }

    @Test
    void shouldLookUpCancelAndReadBalanceAndPositionsWithTheRightShapes() throws Exception {
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent buy = intent("t-monitor", Side.BUY, "0.52", "10", "0.60");
        String id = "0x" + "ef".repeat(32);
        venue.stubFor(get(urlEqualTo("/data/order/" + id)).willReturn(okJson("{\"id\":\"" + id + "\",\"status\":\"LIVE\","
                + "\"owner\":\"" + API_KEY + "\",\"maker_address\":\"" + FUNDER + "\",\"market\":\"0xcd\",\"asset_id\":\""
                + TOKEN + "\",\"side\":\"BUY\",\"original_size\":\"10\",\"size_matched\":\"4\",\"price\":\"0.53\","
                + "\"associate_trades\":[],\"outcome\":\"Yes\",\"created_at\":1762077600,\"expiration\":\"0\",\"order_type\":\"GTC\"}")));
        OrderStatus status = exchange.onLookupReply(buy, http.execute(exchange.lookupOrder(buy, new io.copytrader.domain.VenueOrderId(id))));
        assertThat(status.state()).isEqualTo(OrderState.PARTIALLY_FILLED);
        assertThat(status.filledQuantity()).isEqualByComparingTo("4");
        assertL2(venue.findAll(getRequestedFor(urlEqualTo("/data/order/" + id))).get(0));
        // unknown order
        String unknown = "0x" + "00".repeat(32);
        venue.stubFor(get(urlEqualTo("/data/order/" + unknown)).willReturn(aResponse().withStatus(404)
                .withBody("{\"error\":\"order not found\"}")));
        assertThat(exchange.onLookupReply(buy, http.execute(exchange.lookupOrder(buy,
                new io.copytrader.domain.VenueOrderId(unknown)))).state()).isEqualTo(OrderState.NOT_FOUND);
        // cancel
        venue.stubFor(delete(urlEqualTo("/order")).willReturn(okJson("{\"canceled\":[\"" + id + "\"],\"not_canceled\":{}}")));
        assertThat(exchange.onCancelReply(http.execute(exchange.cancelOrder(buy, new io.copytrader.domain.VenueOrderId(id))))).isTrue();
        LoggedRequest cancel = requests("DELETE", "/order").get(0);
        assertL2(cancel);
        assertThat(cancel.getBodyAsString()).isEqualTo("{\"orderID\":\"" + id + "\"}");
        // balance: pUSD in 6-decimal base units
        venue.stubFor(get(urlPathEqualTo("/balance-allowance")).willReturn(okJson("{\"balance\":\"1234500000\"}")));
        assertThat(exchange.onBalanceReply(http.execute(exchange.balance()))).isEqualByComparingTo("1234.5");
        LoggedRequest balance = requests("GET", "/balance-allowance").get(0);
        assertL2(balance);
        assertThat(balance.getUrl()).isEqualTo("/balance-allowance?asset_type=COLLATERAL&signature_type=2");
        // positions of the funder from the Data API
        venue.stubFor(get(urlPathEqualTo("/positions")).willReturn(okJson("[{\"proxyWallet\":\"" + FUNDER + "\",\"asset\":\""
                + TOKEN + "\",\"size\":12.5,\"avgPrice\":0.51,\"outcome\":\"Yes\"},{\"asset\":\"1\",\"size\":0,\"avgPrice\":0}]")));
        assertThat(exchange.onPositionsReply(http.execute(exchange.positions()))).singleElement().satisfies(p -> {
            assertThat(p.instrument().value()).isEqualTo(TOKEN);
            assertThat(p.quantity()).isEqualByComparingTo("12.5");
        });
        assertThat(requests("GET", "/positions").get(0).getUrl()).contains("user=" + FUNDER);
    }

    @Test
    void shouldEndAPartlyFilledFakOrderWithWhatFilledBecauseTheVenueKilledTheRest() throws Exception {
        fake.acceptOrders("matched");
        fake.fillFraction("0.4");
        PolymarketExchangeAdapter exchange = PolymarketVenue.exchange(config(Map.of("POLY_ORDER_TYPE", "FAK")), http, clock);
        CopyIntent buy = intent("t-fak", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder prepared = exchange.prepareOrder(buy);
        // the answer: 4 of 10 shares matched, the remainder killed; terminal, not a partial fill waiting for more
        assertThat(place(exchange, buy, prepared)).isInstanceOfSatisfying(PlaceResult.Accepted.class, a -> {
            assertThat(a.status().state()).isEqualTo(OrderState.CANCELED);
            assertThat(a.status().state().isTerminal()).isTrue();
            assertThat(a.status().filledQuantity()).isEqualByComparingTo("4");
        });
        // the lookup says MATCHED with size_matched 4 of 10, for ever: the same terminal state
        OrderStatus looked = exchange.onLookupReply(buy, http.execute(exchange.lookupOrder(buy, prepared.venueOrderId())));
        assertThat(looked.state()).isEqualTo(OrderState.CANCELED);
        assertThat(looked.filledQuantity()).isEqualByComparingTo("4");
        // a FOK matched in part is killed whole by the venue: refused, nothing filled
        PolymarketExchangeAdapter fok = exchange();
        CopyIntent other = intent("t-fok", Side.BUY, "0.52", "10", "0.60");
        assertThat(place(fok, other, fok.prepareOrder(other))).isInstanceOfSatisfying(PlaceResult.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(Reason.EXCHANGE_NOT_FILLED));
    }

    @Test
    void shouldFindWhatAnOrderTheClobNoLongerListsFilledInOurTrades() throws Exception {
        fake.acceptOrders("matched");
        fake.forgetMatchedOrders(true);
        // 25 trades of other orders of ours in the token come first, in pages of 10
        fake.otherTrades(25);
        fake.tradesPageSize(10);
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent buy = intent("t-forgotten", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder prepared = exchange.prepareOrder(buy);
        assertThat(place(exchange, buy, prepared)).isInstanceOf(PlaceResult.Accepted.class);
        // GET /data/order answers null for the matched order; its trade, on the third page, says it filled 10
        HttpReply reply = http.execute(exchange.lookupOrder(buy, prepared.venueOrderId()));
        assertThat(reply.body().trim()).isEqualTo("null");
        OrderStatus status = exchange.onLookupReply(buy, prepared.venueOrderId(), reply);
        assertThat(status.state()).isEqualTo(OrderState.FILLED);
        assertThat(status.filledQuantity()).isEqualByComparingTo("10");
        assertThat(status.avgFillPrice()).isEqualByComparingTo("0.53");
        assertThat(status.venueOrderId()).isEqualTo(prepared.venueOrderId());
        List<LoggedRequest> pages = requests("GET", "/data/trades");
        assertThat(pages).hasSize(3);
        for (LoggedRequest page : pages) {
            assertL2(page);
            assertThat(page.queryParameter("asset_id").firstValue()).isEqualTo(TOKEN);
        }
        // a replay asks for the earlier hash before signing again: found, never signed twice
        assertThat(exchange.findEarlierOrder(buy, prepared.venueOrderId())).hasValueSatisfying(
                s -> assertThat(s.state()).isEqualTo(OrderState.FILLED));
        // an order with no trade either is not found
        CopyIntent never = intent("t-never", Side.BUY, "0.52", "10", "0.60");
        io.copytrader.domain.VenueOrderId unknown = new io.copytrader.domain.VenueOrderId("0x" + "00".repeat(32));
        assertThat(exchange.onLookupReply(never, unknown, http.execute(exchange.lookupOrder(never, unknown))).state())
                .isEqualTo(OrderState.NOT_FOUND);
        assertThat(exchange.findEarlierOrder(never, unknown)).isEmpty();
    }

    @Test
    void shouldReadAResentOrdersAnswerAgainstTheAmountsItWasSignedFor() throws Exception {
        // an engine signed a FAK BUY of 100 shares and was killed before the answer; the next resends the persisted
        // order, and the CLOB matches 0.05 shares of it, answering in base units (50,000)
        PolymarketExchangeAdapter before = PolymarketVenue.exchange(config(Map.of("POLY_ORDER_TYPE", "FAK")), http, clock);
        CopyIntent buy = intent("t-resent", Side.BUY, "0.52", "100", "0.60");
        PreparedOrder signed = before.prepareOrder(buy);
        fake.acceptOrders("matched");
        fake.fillFraction("0.0005");
        PolymarketExchangeAdapter after = PolymarketVenue.exchange(config(Map.of("POLY_ORDER_TYPE", "FAK")), http, clock);
        PreparedOrder resent = after.resend(buy, signed.venueOrderId(), signed.signedOrder());

        PlaceResult result = place(after, buy, resent);

        assertThat(result).isInstanceOfSatisfying(PlaceResult.Accepted.class, a -> {
            assertThat(a.status().filledQuantity()).as("0.05 shares, not 50,000").isEqualByComparingTo("0.05");
            assertThat(a.status().state()).as("the rest killed").isEqualTo(OrderState.CANCELED);
        });
    }

    @Test
    void shouldPlaceExactlyTheMinimumSizeAtExactlyTheBestAsk() {
        fake.stubBook(TOKEN, "0.01", "0.30", "0.53", "50");
        PolymarketExchangeAdapter exchange = exchange();
        // 5 shares, the venue's minimum, limited at 0.53, the best ask
        PreparedOrder order = exchange.prepareOrder(intent("t-edge", Side.BUY, "0.52", "5", "0.53"));
        JsonNode signed = Json.read("signed", order.signedOrder());
        assertThat(signed.get("makerAmount").asText()).isEqualTo("2650000");
        assertThat(signed.get("takerAmount").asText()).isEqualTo("5000000");
        assertThatThrownBy(() -> exchange.prepareOrder(intent("t-small", Side.BUY, "0.52", "4.99", "0.53")))
                .isInstanceOfSatisfying(OrderDeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.SIZING_TOO_SMALL));
    }

    @Test
    void shouldNotCountAnEmptyLevelAsLiquidity() {
        // the cheapest ask is an empty level: the best ask with shares is 0.53, above our 0.51
        fake.stubBook(TOKEN, "0.01", "0.30", "0.99", "100", "0.50", "0", "0.53", "50");
        PolymarketExchangeAdapter exchange = exchange();
        assertThatThrownBy(() -> exchange.prepareOrder(intent("t-empty", Side.BUY, "0.50", "10", "0.51")))
                .isInstanceOfSatisfying(OrderDeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EXCHANGE_NOT_FILLED))
                .hasMessageContaining("best ask 0.53");
    }

    @Test
    void shouldSignAtTheBooksTickWhenItChangedSinceTheTickWasRead() {
        PolymarketExchangeAdapter exchange = exchange();
        exchange.prepareOrder(intent("t-before", Side.BUY, "0.52", "10", "0.60")); // the tick (0.01) read and cached
        // the market moved near its end: the book now says 0.001, and its best ask is 0.537
        fake.stubBook(TOKEN, "0.001", "0.30", "0.537", "50");
        PreparedOrder order = exchange.prepareOrder(intent("t-after", Side.BUY, "0.53", "10", "0.537"));
        JsonNode signed = Json.read("signed", order.signedOrder());
        assertThat(signed.get("makerAmount").asText()).as("10 x 0.537, not at 0.53").isEqualTo("5370000");
    }

    @Test
    void shouldCountOnlyTheTradesOfTheOrderThatDidNotFailWhenTheClobNoLongerListsIt() throws Exception {
        PolymarketExchangeAdapter exchange = PolymarketVenue.exchange(config(Map.of("POLY_ORDER_TYPE", "FAK")), http, clock);
        CopyIntent buy = intent("t-trades", Side.BUY, "0.52", "10", "0.60");
        String hash = "0x" + "ab".repeat(32);
        venue.stubFor(get(urlEqualTo("/data/order/" + hash)).willReturn(aResponse().withStatus(404)
                .withBody("{\"error\":\"order not found\"}")));
        // two fills as taker (one of whose settlement failed), one as a maker of someone else's trade, one of another order
        venue.stubFor(get(urlPathEqualTo("/data/trades")).willReturn(okJson("{\"data\":["
                + "{\"id\":\"a\",\"taker_order_id\":\"" + hash.toUpperCase().replace("0X", "0x") + "\",\"asset_id\":\"" + TOKEN
                + "\",\"side\":\"BUY\",\"size\":\"3\",\"price\":\"0.52\",\"status\":\"CONFIRMED\",\"maker_orders\":[]},"
                + "{\"id\":\"b\",\"taker_order_id\":\"" + hash + "\",\"asset_id\":\"" + TOKEN
                + "\",\"side\":\"BUY\",\"size\":\"5\",\"price\":\"0.53\",\"status\":\"FAILED\",\"maker_orders\":[]},"
                + "{\"id\":\"c\",\"taker_order_id\":\"0x" + "99".repeat(32) + "\",\"asset_id\":\"" + TOKEN
                + "\",\"side\":\"SELL\",\"size\":\"9\",\"price\":\"0.5\",\"status\":\"MINED\",\"maker_orders\":["
                + "{\"order_id\":\"" + hash + "\",\"matched_amount\":\"1\",\"price\":\"0.5\"},"
                + "{\"order_id\":\"0x" + "98".repeat(32) + "\",\"matched_amount\":\"8\",\"price\":\"0.5\"}]}"
                + "],\"next_cursor\":\"LTE=\"}")));
        io.copytrader.domain.VenueOrderId id = new io.copytrader.domain.VenueOrderId(hash);
        OrderStatus status = exchange.onLookupReply(buy, id, http.execute(exchange.lookupOrder(buy, id)));
        // 3 + 1 shares of 10: a FAK that ended with what filled, the rest killed; cost 3 x 0.52 + 1 x 0.50
        assertThat(status.state()).isEqualTo(OrderState.CANCELED);
        assertThat(status.filledQuantity()).isEqualByComparingTo("4");
        assertThat(status.avgFillPrice()).isEqualByComparingTo("0.515");
    }

    @Test
    void shouldCallAFakThatFilledWholeFilledWhenOnlyItsTradesTellIt() throws Exception {
        PolymarketExchangeAdapter exchange = PolymarketVenue.exchange(config(Map.of("POLY_ORDER_TYPE", "FAK")), http, clock);
        CopyIntent buy = intent("t-fak-whole", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder prepared = placeAnOrderTheClobForgets(exchange, buy);
        // all 10 shares matched: nothing was killed
        assertThat(exchange.findEarlierOrder(buy, prepared.venueOrderId())).hasValueSatisfying(s -> {
            assertThat(s.state()).isEqualTo(OrderState.FILLED);
            assertThat(s.filledQuantity()).isEqualByComparingTo("10");
        });
    }

    @Test
    void shouldReadTwentyPagesOfOurTradesForAnOrderAndConcludeNothingPastThem() throws Exception {
        fake.tradesPageSize(1);
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent buy = intent("t-deep", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder prepared = placeAnOrderTheClobForgets(exchange, buy);
        // our order's trade is on the last page read
        fake.otherTrades(ClobTrades.MAX_PAGES - 1);
        assertThat(exchange.findEarlierOrder(buy, prepared.venueOrderId())).hasValueSatisfying(
                s -> assertThat(s.state()).isEqualTo(OrderState.FILLED));
        // one page further it is neither found nor absent: a replay must not sign it again
        fake.otherTrades(ClobTrades.MAX_PAGES);
        assertThatThrownBy(() -> exchange.findEarlierOrder(buy, prepared.venueOrderId()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("neither found nor confirmed absent");
    }

    @Test
    void shouldConcludeNothingOfAnOrderWhoseTradesCannotAllBeRead() throws Exception {
        fake.otherTrades(3);
        fake.tradesPageSize(2);
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent buy = intent("t-unreadable", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder prepared = placeAnOrderTheClobForgets(exchange, buy);
        // the second page, where our trade is, is gone when the cursor points to it
        venue.stubFor(get(urlPathEqualTo("/data/trades")).withQueryParam("next_cursor", matching(".+")).atPriority(1)
                .willReturn(aResponse().withStatus(404).withBody("{\"error\":\"not found\"}")));
        assertThatThrownBy(() -> exchange.findEarlierOrder(buy, prepared.venueOrderId()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("page 2 answered HTTP 404");
        // an error answer is no absence either
        venue.stubFor(get(urlPathEqualTo("/data/trades")).atPriority(1)
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":\"invalid filter\"}")));
        assertThatThrownBy(() -> exchange.findEarlierOrder(buy, prepared.venueOrderId()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HTTP 400");
        // a first page answered 404 is the CLOB's "no trades of yours": an order never taken is confirmed absent
        venue.stubFor(get(urlPathEqualTo("/data/trades")).atPriority(1)
                .willReturn(aResponse().withStatus(404).withBody("{\"error\":\"not found\"}")));
        io.copytrader.domain.VenueOrderId never = new io.copytrader.domain.VenueOrderId("0x" + "00".repeat(32));
        assertThat(exchange.findEarlierOrder(intent("t-never-sent", Side.BUY, "0.52", "10", "0.60"), never)).isEmpty();
    }

    /** Places {@code intent}; the CLOB matches it whole, then no longer lists it: only our trades tell what it did. */
    private PreparedOrder placeAnOrderTheClobForgets(PolymarketExchangeAdapter exchange, CopyIntent intent)
            throws Exception {
        fake.acceptOrders("matched");
        fake.forgetMatchedOrders(true);
        PreparedOrder prepared = exchange.prepareOrder(intent);
        assertThat(place(exchange, intent, prepared)).isInstanceOf(PlaceResult.Accepted.class);
        return prepared;
    }

    @Test
    void shouldFindAnEarlierOrderTheClobStillListsWithoutReadingOurTrades() throws Exception {
        fake.acceptOrders("live");
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent buy = intent("t-listed", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder prepared = exchange.prepareOrder(buy);
        place(exchange, buy, prepared);
        // a replay asks before signing again: the CLOB lists the order, so it is not signed twice
        assertThat(exchange.findEarlierOrder(buy, prepared.venueOrderId())).hasValueSatisfying(s -> {
            assertThat(s.venueOrderId()).isEqualTo(prepared.venueOrderId());
            assertThat(s.filledQuantity()).isEqualByComparingTo("10");
        });
        assertThat(requests("GET", "/data/trades")).isEmpty();
    }

    @Test
    void shouldTrackAnOrderWhoseMatchTheClobDelayedAsOpen() throws Exception {
        // taken, but its matching delayed: the order exists and may still fill, so it is monitored, never rejected
        fake.refuseOrders(400, "order match delayed due to market conditions");
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent buy = intent("t-delayed", Side.BUY, "0.52", "10", "0.60");
        assertThat(place(exchange, buy, exchange.prepareOrder(buy))).isInstanceOfSatisfying(PlaceResult.Accepted.class,
                a -> assertThat(a.status().state()).isEqualTo(OrderState.OPEN));
    }

    @Test
    void shouldReportACancelTheClobRefusedAsNotCanceled() throws Exception {
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent buy = intent("t-cancel", Side.BUY, "0.52", "10", "0.60");
        String id = "0x" + "ef".repeat(32);
        // not canceled for a reason other than the order being gone: it may still fill
        venue.stubFor(delete(urlEqualTo("/order")).willReturn(okJson("{\"canceled\":[],\"not_canceled\":{\"" + id
                + "\":\"the market is not yet ready to process new orders\"}}")));
        assertThat(exchange.onCancelReply(http.execute(exchange.cancelOrder(buy, new io.copytrader.domain.VenueOrderId(id)))))
                .isFalse();
    }

    @Test
    void shouldSaltAnOrderWithTheFirst53BitsOfTheHashOfItsClientOrderId() throws Exception {
        // the salt is part of the persisted order hash: an order signed by an earlier version must be signed to the
        // same hash by this one, so the derivation documented on the adapter is recomputed here (BigInteger, not
        // the adapter's bit shifting)
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent buy = intent("t-salt", Side.BUY, "0.52", "10", "0.60");
        JsonNode signed = Json.read("signed", exchange.prepareOrder(buy).signedOrder());
        byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(("polymarket-salt|"
                + buy.clientOrderId().value()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(signed.get("salt").bigIntegerValue()).isEqualTo(new java.math.BigInteger(1, sha).shiftRight(256 - 53));
    }

    @Test
    void shouldCopyATradeAtTheLowestOrTheHighestPriceOfTheTick() {
        // the target bought at 0.01, the lowest price at tick 0.01: our cap, 0.0102, rounds down onto it
        fake.stubBook(TOKEN, "0.01", "0.01", "0.01", "5000");
        PolymarketExchangeAdapter exchange = exchange();
        JsonNode buy = Json.read("buy", exchange.prepareOrder(intent("t-lowest", Side.BUY, "0.01", "1000", "0.0102"))
                .signedOrder());
        assertThat(buy.get("makerAmount").asText()).isEqualTo("10000000"); // 1,000 x 0.01
        // without slippage, a SELL of what the target sold at 0.99, the highest price, into a best bid of 0.99
        fake.stubHeld(TOKEN, "100");
        fake.stubBook(TOKEN, "0.99", "0.995");
        PolymarketExchangeAdapter noSlippage = PolymarketVenue.exchange(config(Map.of("MAX_SLIPPAGE", "0")), http, clock);
        JsonNode sell = Json.read("sell", noSlippage.prepareOrder(intent("t-highest", Side.SELL, "0.99", "10", "0.99"))
                .signedOrder());
        assertThat(sell.get("takerAmount").asText()).isEqualTo("9900000"); // 10 x 0.99
    }

    @Test
    void shouldReadASmallFakFillInBaseUnitsAsTheSharesItIs() throws Exception {
        fake.acceptOrders("matched");
        // 0.05 of our 100 shares match; the answer's amounts are base units: takingAmount "50000"
        fake.fillFraction("0.0005");
        PolymarketExchangeAdapter exchange = PolymarketVenue.exchange(config(Map.of("POLY_ORDER_TYPE", "FAK")), http, clock);
        CopyIntent buy = intent("t-dust", Side.BUY, "0.52", "100", "0.60");
        PreparedOrder prepared = exchange.prepareOrder(buy);
        // another copy is signed before the answer comes (the engine places several at once): each answer is still
        // read against its own order's amounts
        exchange.prepareOrder(intent("t-dust-meanwhile", Side.BUY, "0.52", "10", "0.60"));
        assertThat(place(exchange, buy, prepared)).isInstanceOfSatisfying(PlaceResult.Accepted.class, a -> {
            assertThat(a.status().state()).isEqualTo(OrderState.CANCELED);
            assertThat(a.status().filledQuantity()).isEqualByComparingTo("0.05");
            assertThat(a.status().avgFillPrice()).isEqualByComparingTo("0.53");
        });
        // in shares, the same answer reads the same
        PolymarketExchangeAdapter other = PolymarketVenue.exchange(config(Map.of("POLY_ORDER_TYPE", "FAK")), http, clock);
        CopyIntent again = intent("t-dust-2", Side.BUY, "0.52", "100", "0.60");
        other.prepareOrder(again);
        HttpReply inShares = new HttpReply(200, Map.of(), "{\"success\":true,\"errorMsg\":\"\",\"orderID\":\"0x"
                + "12".repeat(32) + "\",\"status\":\"matched\",\"makingAmount\":\"0.0265\",\"takingAmount\":\"0.05\"}");
        assertThat(other.onPlaceReply(again, inShares)).isInstanceOfSatisfying(PlaceResult.Accepted.class,
                a -> assertThat(a.status().filledQuantity()).isEqualByComparingTo("0.05"));
    }

    @Test
    void shouldReadEveryPageOfOurPositionsOnceEach() throws Exception {
        PolymarketExchangeAdapter exchange = exchange();
        // 1,000 rows exactly: two full pages, then an empty one
        fake.stubManyPositions(1000, 999, TOKEN, "7.5");
        List<io.copytrader.venue.PositionSnapshot> all = exchange.onPositionsReply(http.execute(exchange.positions()));
        assertThat(all).hasSize(1000);
        assertThat(all).filteredOn(p -> p.instrument().value().equals(TOKEN)).singleElement()
                .satisfies(p -> assertThat(p.quantity()).isEqualByComparingTo("7.5"));
        assertThat(requests("GET", "/positions")).hasSize(3);
        assertThat(requests("GET", "/positions").get(0).getUrl()).contains("limit=500").doesNotContain("offset");
        assertThat(requests("GET", "/positions").get(1).getUrl()).contains("offset=500");
        // a server that ignores the offset repeats its first page: read once, nothing counted twice
        venue.resetRequests();
        StringBuilder page = new StringBuilder("[");
        for (int i = 0; i < 500; i++) {
            page.append(i == 0 ? "" : ",").append("{\"asset\":\"").append(2_000_000 + i).append("\",\"size\":2}");
        }
        venue.stubFor(get(urlPathEqualTo("/positions")).atPriority(0).willReturn(okJson(page.append("]").toString())));
        List<io.copytrader.venue.PositionSnapshot> repeated = exchange.onPositionsReply(http.execute(exchange.positions()));
        assertThat(repeated).hasSize(500);
        assertThat(requests("GET", "/positions")).hasSize(2);
    }

    @Test
    void shouldReadPositionsDownToTheDataApisDeepestOffsetButNoDeeper() throws Exception {
        PolymarketExchangeAdapter exchange = exchange();
        // 10,001 rows: the last one on the page at offset 10,000, the deepest the Data API serves
        fake.stubManyPositions(10_001, 10_000, TOKEN, "7.5");
        assertThat(exchange.onPositionsReply(http.execute(exchange.positions()))).hasSize(10_001)
                .filteredOn(p -> p.instrument().value().equals(TOKEN)).hasSize(1);
        // a full page there: the book goes on where it cannot be read, and a book missing positions would miss
        // their sells, so none is taken
        fake.stubManyPositions(10_501, 0, TOKEN, "7.5");
        assertThatThrownBy(() -> exchange.onPositionsReply(http.execute(exchange.positions())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("more than 10000 positions");
    }

    @Test
    void shouldKeepOrderPostsWithinTheClientSideLimitWithoutSigningMore() throws Exception {
        fake.acceptOrders("matched");
        PolymarketConfig cfg = config(Map.of());
        // two orders per 10 s (the published 3,500 would take too long to exhaust in a test)
        Map<ClobRateLimits.Bucket, List<io.github.resilience4j.ratelimiter.RateLimiterConfig>> windows =
                new java.util.EnumMap<>(ClobRateLimits.published());
        windows.put(ClobRateLimits.Bucket.ORDER, List.of(io.github.resilience4j.ratelimiter.RateLimiterConfig.custom()
                .limitForPeriod(2).limitRefreshPeriod(Duration.ofSeconds(10)).timeoutDuration(Duration.ZERO).build()));
        PolymarketExchangeAdapter exchange = new PolymarketExchangeAdapter(cfg, cfg.credentials(), http, clock,
                PolymarketExchangeAdapter.SIGNABLE, new ClobRateLimits(clock, windows));
        for (int i = 0; i < 2; i++) {
            CopyIntent buy = intent("t-limit-" + i, Side.BUY, "0.52", "10", "0.60");
            assertThat(place(exchange, buy, exchange.prepareOrder(buy))).isInstanceOf(PlaceResult.Accepted.class);
        }
        CopyIntent third = intent("t-limit-2", Side.BUY, "0.52", "10", "0.60");
        assertThatThrownBy(() -> exchange.prepareOrder(third)).isInstanceOfSatisfying(TransientVenueException.class,
                e -> assertThat(e.retryAfter()).isPositive());
        assertThat(requests("POST", "/order")).hasSize(2);
    }

    @Test
    void shouldHoldNewOrdersBackForTheRetryAfterOfA429() throws Exception {
        fake.acceptOrders("matched");
        fake.rateLimitNextOrders(1, 30);
        PolymarketExchangeAdapter exchange = exchange();
        CopyIntent first = intent("t-429-a", Side.BUY, "0.52", "10", "0.60");
        PreparedOrder firstOrder = exchange.prepareOrder(first);
        // 1. the venue answers 429, Retry-After 30 s, Poly-RateLimit-Remaining 0
        assertThatThrownBy(() -> place(exchange, first, firstOrder))
                .isInstanceOfSatisfying(TransientVenueException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30)));
        // 2. the next order is not signed nor sent while the venue's pause lasts (the clock stands still here)
        CopyIntent second = intent("t-429-b", Side.BUY, "0.52", "10", "0.60");
        assertThatThrownBy(() -> exchange.prepareOrder(second)).isInstanceOfSatisfying(TransientVenueException.class,
                e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30)));
        // 3. nor is the refused order sent again, as signed, when the engine retries it
        assertThatThrownBy(() -> exchange.resend(first, firstOrder.venueOrderId(), firstOrder.signedOrder()))
                .isInstanceOfSatisfying(TransientVenueException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30)));
        assertThat(requests("POST", "/order")).hasSize(1);
    }

    @Test
    void shouldReadTheTargetsActivityFromTheDataApi() throws Exception {
        String tx = "0x" + "ab".repeat(32);
        venue.stubFor(get(urlPathEqualTo("/activity")).willReturn(okJson("["
                + PolymarketFeedAdapterTest.row(tx, 1762077601, "BUY", "21.04", "0.56") + "]")));
        PolymarketFeedAdapter feed = PolymarketVenue.feed(config(Map.of("EXCHANGE", "paper", "POLY_PRIVATE_KEY", "",
                "POLY_API_KEY", "", "POLY_API_SECRET", "", "POLY_PASSPHRASE", "")), clock);
        String cursor = "v1:1762077600:0";
        FeedPage page = feed.onPage(TARGET, cursor, http.execute(feed.fetchPage(TARGET, cursor)), NOW);
        assertThat(page.rows()).singleElement().isInstanceOf(FeedRow.Trade.class);
        LoggedRequest r = requests("GET", "/activity").get(0);
        assertThat(r.queryParameter("user").firstValue()).isEqualTo(TARGET.value());
        assertThat(r.queryParameter("type").firstValue()).isEqualTo("TRADE");
        assertThat(r.queryParameter("sortDirection").firstValue()).isEqualTo("ASC");
        assertThat(r.queryParameter("start").firstValue()).isEqualTo("1762077540");
        assertThat(r.getHeaders().keys()).noneMatch(h -> h.startsWith("POLY_")); // the Data API needs no auth
    }

    @Test
    void shouldDeriveApiCredentialsThroughL1WhenNoneAreConfigured() throws Exception {
        venue.stubFor(get(urlEqualTo("/auth/derive-api-key")).willReturn(okJson("{\"apiKey\":\"" + API_KEY
                + "\",\"secret\":\"" + SECRET + "\",\"passphrase\":\"" + PASSPHRASE + "\"}")));
        venue.stubFor(post(urlEqualTo("/order")).willReturn(okJson("{\"success\":true,\"errorMsg\":\"\",\"orderID\":\"0x4\",\"status\":\"live\"}")));
        PolymarketExchangeAdapter exchange = PolymarketVenue.exchange(config(Map.of("POLY_API_KEY", "",
                "POLY_API_SECRET", "", "POLY_PASSPHRASE", "")), http, clock);
        LoggedRequest l1 = requests("GET", "/auth/derive-api-key").get(0);
        assertThat(l1.getHeader("POLY_ADDRESS")).isEqualTo(SIGNER);
        assertThat(l1.getHeader("POLY_NONCE")).isEqualTo("0");
        byte[] digest = PolymarketAuth.clobAuthDigest(SIGNER, 137, l1.getHeader("POLY_TIMESTAMP"), 0);
        assertThat(Eip712.recoverAddress(digest, l1.getHeader("POLY_SIGNATURE"))).isEqualToIgnoringCase(SIGNER);
        // the derived credentials sign L2 calls
        CopyIntent buy = intent("t-derived", Side.BUY, "0.52", "10", "0.60");
        place(exchange, buy, exchange.prepareOrder(buy));
        assertL2(requests("POST", "/order").get(0));
    }

    @Test
    void shouldStampHeadersWithTheClobsTimeWhenThisMachinesClockIsOff() throws Exception {
        // our clock is 5 minutes behind the CLOB's, which refuses header timestamps 30 s or more off its own
        fake.clock(Clock.fixed(NOW.plusSeconds(300), ZoneOffset.UTC));
        venue.stubFor(get(urlEqualTo("/auth/derive-api-key")).willReturn(okJson("{\"apiKey\":\"" + API_KEY
                + "\",\"secret\":\"" + SECRET + "\",\"passphrase\":\"" + PASSPHRASE + "\"}")));
        fake.acceptOrders("live");
        PolymarketExchangeAdapter exchange = PolymarketVenue.exchange(config(Map.of("POLY_API_KEY", "",
                "POLY_API_SECRET", "", "POLY_PASSPHRASE", "")), http, clock);
        assertThat(exchange.clobTime().corrected()).isTrue();
        assertThat(exchange.clobTime().describe()).contains("300.5 s behind the CLOB's").contains("NTP");
        assertThat(requests("GET", "/auth/derive-api-key").get(0).getHeader("POLY_TIMESTAMP"))
                .isEqualTo(Long.toString(NOW.getEpochSecond() + 300));

        CopyIntent buy = intent("t-clock", Side.BUY, "0.52", "10", "0.60");
        PlaceResult result = place(exchange, buy, exchange.prepareOrder(buy));
        assertThat(result).as("taken, not refused for its timestamp").isInstanceOf(PlaceResult.Accepted.class);
        LoggedRequest order = requests("POST", "/order").get(0);
        PolymarketFake.assertL2(order);
        assertThat(order.getHeader("POLY_TIMESTAMP")).isEqualTo(Long.toString(NOW.getEpochSecond() + 300));

        // ahead of it by a minute and a half: the other way
        fake.clock(Clock.fixed(NOW.minusSeconds(90), ZoneOffset.UTC));
        PolymarketExchangeAdapter ahead = exchange();
        assertThat(ahead.clobTime().describe()).contains("89.5 s ahead of the CLOB's");
        CopyIntent again = intent("t-clock-2", Side.BUY, "0.52", "10", "0.60");
        assertThat(place(ahead, again, ahead.prepareOrder(again))).isInstanceOf(PlaceResult.Accepted.class);
        assertThat(requests("POST", "/order").get(1).getHeader("POLY_TIMESTAMP"))
                .isEqualTo(Long.toString(NOW.getEpochSecond() - 90));
    }

    @Test
    void shouldReadTheClobsClockAgainSoACorrectionEndsWhenOurClockIsFixed() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(ClobClock.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        log.addAppender(logged);
        try {
            fake.acceptOrders("live");
            MovableClock ours = new MovableClock(NOW);
            fake.clock(Clock.fixed(NOW.plusSeconds(300), ZoneOffset.UTC));
            PolymarketExchangeAdapter exchange = PolymarketVenue.exchange(config(Map.of()), http, ours);
            assertThat(exchange.clobTime().corrected()).isTrue();
            assertThat(warnings(logged)).singleElement().asString().contains("300.5 s behind");

            // a balance refresh before the resync period reads nothing; the first after it reads the same offset,
            // which is said once only
            int reads = requests("GET", "/time").size();
            ours.set(NOW.plusSeconds(60));
            exchange.balance();
            assertThat(requests("GET", "/time")).hasSize(reads);
            ours.set(NOW.plus(ClobClock.RESYNC));
            fake.clock(Clock.fixed(NOW.plus(ClobClock.RESYNC).plusSeconds(300), ZoneOffset.UTC));
            exchange.balance();
            assertThat(requests("GET", "/time")).hasSize(reads + 1);
            assertThat(exchange.clobTime().corrected()).isTrue();
            assertThat(warnings(logged)).hasSize(1);

            // time synchronisation steps our clock onto the CLOB's: the next read ends the correction, and says so
            Instant fixed = NOW.plus(ClobClock.RESYNC.multipliedBy(2)).plusSeconds(300);
            ours.set(fixed);
            fake.clock(Clock.fixed(fixed, ZoneOffset.UTC));
            exchange.balance();
            assertThat(exchange.clobTime().corrected()).isFalse();
            assertThat(warnings(logged)).hasSize(2).last().asString().contains("within 2 s");
            CopyIntent buy = intent("t-resync", Side.BUY, "0.52", "10", "0.60");
            assertThat(place(exchange, buy, exchange.prepareOrder(buy))).isInstanceOf(PlaceResult.Accepted.class);
            assertThat(requests("POST", "/order").get(0).getHeader("POLY_TIMESTAMP"))
                    .isEqualTo(Long.toString(fixed.getEpochSecond()));

            // a failed read keeps the last offset, quietly
            ours.set(fixed.plus(ClobClock.RESYNC));
            venue.stubFor(get(urlEqualTo("/time")).willReturn(aResponse().withStatus(503)));
            exchange.balance();
            assertThat(exchange.clobTime().offset()).isPresent();
            assertThat(warnings(logged)).hasSize(2);
        } finally {
            log.detachAppender(logged);
        }
    }

    private static List<String> warnings(ListAppender<ILoggingEvent> logged) {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** A clock a test moves. */
    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void shouldStampHeadersWithOurClockWhenItIsCloseToTheClobsOrTheClobsIsUnknown() throws Exception {
        fake.acceptOrders("live");
        fake.clock(Clock.fixed(NOW.plusSeconds(1), ZoneOffset.UTC)); // within what one GET /time can tell
        PolymarketExchangeAdapter close = exchange();
        assertThat(close.clobTime().corrected()).isFalse();
        assertThat(close.clobTime().describe()).isEqualTo("this machine's clock is within 2 s of the CLOB's");
        CopyIntent buy = intent("t-close", Side.BUY, "0.52", "10", "0.60");
        place(close, buy, close.prepareOrder(buy));
        assertL2(requests("POST", "/order").get(0));

        fake.clock(clock);
        venue.stubFor(get(urlEqualTo("/time")).willReturn(aResponse().withStatus(503)));
        PolymarketExchangeAdapter unknown = exchange();
        assertThat(unknown.clobTime().offset()).isEmpty();
        assertThat(unknown.clobTime().describe()).contains("GET /time answered HTTP 503");
        venue.stubFor(get(urlEqualTo("/time")).willReturn(okJson("{\"error\":\"no\"}")));
        assertThat(exchange().clobTime().describe()).contains("GET /time gave no Unix seconds");
        CopyIntent other = intent("t-unknown", Side.BUY, "0.52", "10", "0.60");
        place(unknown, other, unknown.prepareOrder(other));
        assertL2(requests("POST", "/order").get(1));
    }

    @Test
    void shouldRefuseToStartWhenTheClobWantsAVersionWeCannotSign() {
        venue.stubFor(get(urlEqualTo("/version")).willReturn(okJson("{\"version\":1}")));
        assertThatThrownBy(this::exchange).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("takes orders of version 1").hasMessageContaining("[2]");
        venue.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));
        assertThatThrownBy(this::exchange).isInstanceOf(TransientVenueException.class);
    }
}

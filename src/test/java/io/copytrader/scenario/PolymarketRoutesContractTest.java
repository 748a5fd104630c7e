package io.copytrader.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.Portfolio;
import io.copytrader.polymarket.OrderDomain;
import io.copytrader.polymarket.PolymarketFake;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.copytrader.scenario.PolymarketHarness.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine's real routes (detect, copy, place, monitor) against a contract fake of the Polymarket Data API and
 * CLOB V2 ({@link PolymarketFake}, WireMock on loopback): what the venue receives is checked as the venue would
 * check it (L2 HMAC recomputed, signer recovered from the EIP-712 signature), and the books are read as a trader
 * would. The dry run reads the same fake feed and places on the paper venue.
 */
@Timeout(120)
class PolymarketRoutesContractTest {
    static final String YES = PolymarketFake.TOKEN;
    static final String NO = "48331043336612883890938759509493159234755048973500640148014422747788308965732";
    static final Duration SETTLE = Duration.ofSeconds(30);

    static String tx(int n) {
        return String.format("0x%064x", n);
    }

    /** A target's fill, timestamped now (the filter drops fills older than 30 s). */
    static String fill(int n, String asset, String side, String size, String price) {
        return PolymarketFake.activityRow(TARGET, "TRADE", tx(n), Instant.now().getEpochSecond(), asset, side, size, price);
    }

    /** What a posted order trades: side, token, maker and taker amounts in base units. */
    static String trade(JsonNode order) {
        String token = order.get("tokenId").asText();
        String outcome = token.equals(YES) ? "YES" : token.equals(NO) ? "NO" : token;
        return order.get("side").asText() + " " + outcome + " " + order.get("makerAmount").asText() + "/"
                + order.get("takerAmount").asText();
    }

    static List<OrderRecord> orders(EngineHarness e) {
        return e.store().ordersIn(EnumSet.allOf(OrderRecordState.class));
    }

    @Test
    void shouldCopyEachNewTradeOnceAsASignedOrderOfTheSameOutcomeAndResolveItByLookup() throws Exception {
        PolymarketHarness.Builder builder = PolymarketHarness.live()
                .set("copytrader.copy.ratio", "0.5")
                .set("copytrader.filter.min-trade-size-usd", "1");
        // the CLOB takes each order as "delayed" (FOK matching deferred): the monitor has to look it up
        builder.fake().acceptOrders("delayed");
        builder.fake().stubBook(NO, "0.45", "0.47");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            PolymarketFake clob = h.fake();
            Instant started = Instant.now();
            // 0. the target's positions (none) are read once before its first poll; its fills come after that
            //    snapshot. The feed stamps fills in whole seconds, so they are made from the next second on: a fill
            //    stamped before the snapshot counts as in it, and would not move the target's position
            await().atMost(SETTLE).until(() -> clob.requests("GET", "/positions").stream()
                    .anyMatch(r -> r.getUrl().toLowerCase().contains(TARGET.toLowerCase())));
            long seededSecond = Instant.now().getEpochSecond();
            await().atMost(SETTLE).until(() -> Instant.now().getEpochSecond() > seededSecond);
            // 1. the target buys YES and NO, makes a $0.52 trade (below the $1 filter) and redeems (not a fill)
            List<String> rows = new ArrayList<>(List.of(
                    fill(1, YES, "BUY", "20", "0.52"),
                    fill(2, NO, "BUY", "30", "0.47"),
                    fill(3, YES, "BUY", "1", "0.52"),
                    PolymarketFake.activityRow(TARGET, "REDEEM", tx(4), Instant.now().getEpochSecond(), YES, "", "5", "1")));
            clob.serveActivity(TARGET, rows);
            e.awaitSettled(3, SETTLE);
            // 2. the feed overlaps: every later poll returns the same rows, and none is admitted again
            int polls = clob.requests("GET", "/activity").size();
            await().atMost(SETTLE).until(() -> clob.requests("GET", "/activity").size() >= polls + 5);
            assertThat(e.store().detectedCount()).isEqualTo(3);
            // 3. the monitor looked each order up by the id the CLOB returned, and the fills reached the book
            await().atMost(SETTLE).untilAsserted(() -> assertThat(orders(e))
                    .hasSize(2).allMatch(o -> o.state() == OrderRecordState.FILLED));
            Portfolio book = e.bean("portfolio", Portfolio.class);
            assertThat(book.holding(new InstrumentId(YES)).quantity()).isEqualByComparingTo("10");
            assertThat(book.holding(new InstrumentId(NO)).quantity()).isEqualByComparingTo("15");
            // 4. the target sells half of the 21 YES it bought (the filtered fill moved its position too): we sell
            //    half of ours (SELL_SIZING=proportional), capped to what the CLOB says we hold
            clob.stubHeld(YES, "10");
            rows.add(fill(5, YES, "SELL", "10.5", "0.50"));
            clob.serveActivity(TARGET, rows);
            e.awaitSettled(4, SETTLE);
            await().atMost(SETTLE).untilAsserted(() -> assertThat(orders(e))
                    .hasSize(3).allMatch(o -> o.state() == OrderRecordState.FILLED));
            assertThat(book.holding(new InstrumentId(YES)).quantity()).isEqualByComparingTo("5");
            // 5. outcomes: three copied, the small one filtered
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(3);
            e.assertOnlySkipped(Reason.FILTER_BELOW_MIN_SIZE);
            assertThat(e.outcomes(TradeOutcome.SKIPPED)).isEqualTo(1);
            // 6. exactly one POST /order per copied trade, each L2-signed and signed (EIP-712) by our signer, on the
            //    target's token, the buys sized 1/2 of the target and the sell half our holding, at the
            //    slippage-capped tick price
            List<LoggedRequest> posts = clob.requests("POST", "/order");
            assertThat(posts).hasSize(3);
            List<JsonNode> posted = new ArrayList<>();
            for (LoggedRequest post : posts) {
                PolymarketFake.assertL2(post);
                posted.add(PolymarketFake.assertSignedOrder(post, OrderDomain.POLYGON_V2, false, null));
            }
            assertThat(posted).extracting(PolymarketRoutesContractTest::trade).containsExactlyInAnyOrder(
                    "BUY YES 5300000/10000000",   // 10 x 0.53 (0.52 + 2% = 0.5304, down to the tick)
                    "BUY NO 7050000/15000000",    // 15 x 0.47 (0.4794 down to the tick)
                    "SELL YES 5000000/2450000");  // 5 x 0.49 (0.50 - 2%)
            // 7. each order the engine recorded is the one the CLOB took: same hash, timestamped at the target's fill
            //    (venue time), looked up (L2-signed) by that hash, filled as the CLOB reported
            Map<String, JsonNode> taken = clob.orders();
            assertThat(taken).hasSize(3);
            for (OrderRecord record : orders(e)) {
                String hash = record.venueOrderId().value();
                JsonNode order = taken.get(hash);
                assertThat(order).as("order %s taken by the CLOB", hash).isNotNull();
                assertThat(order.get("tokenId").asText()).isEqualTo(record.intent().instrument().value());
                assertThat(Long.parseLong(order.get("timestamp").asText()))
                        .isEqualTo(record.intent().source().tsEvent().toEpochMilli())
                        .isGreaterThanOrEqualTo(started.getEpochSecond() * 1000);
                assertThat(record.filledQuantity()).isEqualByComparingTo(PolymarketFake.shares(order));
                List<LoggedRequest> lookups = clob.requests("GET", "/data/order/" + hash);
                assertThat(lookups).isNotEmpty();
                PolymarketFake.assertL2(lookups.get(0));
            }
            // 8. the sell was capped by a refreshed, L2-signed balance of the token
            PolymarketFake.assertL2(clob.requests("GET", "/balance-allowance/update").get(0));
            assertThat(clob.requests("GET", "/balance-allowance").stream().map(LoggedRequest::getUrl))
                    .anyMatch(u -> u.contains("asset_type=CONDITIONAL") && u.contains("token_id=" + YES));
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldFailInsufficientBalanceToTheDeadLettersWithoutRetryOrBreaker() {
        PolymarketHarness.Builder builder = PolymarketHarness.live()
                .set("copytrader.breaker.max-consecutive-failures", 2);
        builder.fake().refuseOrders(400,
                "not enough balance / allowance: the balance is not enough -> balance: 4893500, order amount: 5300000");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target buys three times; the CLOB refuses each of our copies for lack of balance
            h.fake().serveActivity(TARGET, List.of(fill(1, YES, "BUY", "10", "0.52"), fill(2, YES, "BUY", "12", "0.52"),
                    fill(3, YES, "BUY", "14", "0.52")));
            e.awaitSettled(3, SETTLE);
            // 2. each failed for that reason, once (no retry), to the dead letters; the breaker (2 failures) stays closed
            assertThat(e.outcomes(TradeOutcome.FAILED)).isEqualTo(3);
            assertThat(e.store().deadLetters()).hasSize(3)
                    .allMatch(d -> d.reason() == Reason.EXCHANGE_INSUFFICIENT_BALANCE);
            assertThat(h.fake().requests("POST", "/order")).hasSize(3);
            assertThat(e.breaker().getState().name()).isEqualTo("CLOSED");
            assertThat(orders(e)).hasSize(3).allMatch(o -> o.state() == OrderRecordState.REJECTED);
            // 3. nothing was bought, so nothing is reserved or held
            assertThat(e.bean("portfolio", Portfolio.class).exposure()).isEqualByComparingTo("0");
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldRetryAServerErrorWithTheSameSignedOrderAndPlaceItOnce() throws Exception {
        PolymarketHarness.Builder builder = PolymarketHarness.live();
        builder.fake().acceptOrders("matched");
        builder.fake().failNextOrders(1, 500, "Internal Server Error");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target buys; our first POST /order gets HTTP 500
            h.fake().serveActivity(TARGET, List.of(fill(1, YES, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            // 2. it was retried with the very same signed request, and the CLOB holds one order, matched
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            List<LoggedRequest> posts = h.fake().requests("POST", "/order");
            assertThat(posts).hasSize(2);
            assertThat(posts.get(1).getBodyAsString()).isEqualTo(posts.get(0).getBodyAsString());
            PolymarketFake.assertL2(posts.get(1));
            assertThat(h.fake().orders()).hasSize(1);
            // 3. the matched answer settled the book directly, at the order's price: no lookup was needed
            assertThat(orders(e)).singleElement().satisfies(o -> {
                assertThat(o.state()).isEqualTo(OrderRecordState.FILLED);
                assertThat(o.filledQuantity()).isEqualByComparingTo("10");
                assertThat(o.avgFillPrice()).isEqualByComparingTo("0.53");
                assertThat(h.fake().orders()).containsKey(o.venueOrderId().value());
            });
            assertThat(e.breaker().getState().name()).isEqualTo("CLOSED");
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldResolveAnOrderTakenDespiteALostAnswerByLookupWithoutASecondOrder() {
        PolymarketHarness.Builder builder = PolymarketHarness.live();
        builder.fake().acceptOrders("matched");
        builder.fake().loseAnswerOfNextOrders(1);
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target buys; the CLOB takes our order but the gateway answers 504
            h.fake().serveActivity(TARGET, List.of(fill(1, YES, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            // 2. the retry sent the same signed order, which the CLOB refused as a duplicate; the monitor then found
            //    the order by its hash: copied, and the CLOB holds one order
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            assertThat(h.fake().requests("POST", "/order")).hasSize(2);
            assertThat(h.fake().orders()).hasSize(1);
            assertThat(orders(e)).singleElement().satisfies(o -> {
                assertThat(h.fake().requests("GET", "/data/order/" + o.venueOrderId().value())).isNotEmpty();
                assertThat(o.state()).isEqualTo(OrderRecordState.FILLED);
                assertThat(o.filledQuantity()).isEqualByComparingTo("10");
            });
            assertThat(e.store().deadLetters()).isEmpty();
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldDryRunOnTheLiveFeedWithPaperOrdersAndNothingSentToTheClob() {
        try (PolymarketHarness h = PolymarketHarness.dryRun().set("copytrader.copy.ratio", "0.5").start()) {
            EngineHarness e = h.engine();
            // 1. the target buys YES and NO on the (fake) live feed
            h.fake().serveActivity(TARGET, List.of(fill(1, YES, "BUY", "20", "0.52"), fill(2, NO, "BUY", "30", "0.47")));
            e.awaitSettled(2, SETTLE);
            // 2. both were copied on the paper venue, on the target's tokens
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(2);
            assertThat(e.admin().stats().ordersAccepted()).isEqualTo(2);
            Portfolio book = e.bean("portfolio", Portfolio.class);
            await().atMost(SETTLE).untilAsserted(() -> {
                assertThat(book.holding(new InstrumentId(YES)).quantity()).isEqualByComparingTo("10");
                assertThat(book.holding(new InstrumentId(NO)).quantity()).isEqualByComparingTo("15");
            });
            // 3. the fake Polymarket only served the Data API (the feed, and the target's positions read once at start
            // for proportional sells): no order, no CLOB call of any kind
            assertThat(h.fake().server().getAllServeEvents().stream()
                    .map(ev -> URI.create(ev.getRequest().getUrl()).getPath()).collect(Collectors.toSet()))
                    .contains("/activity").isSubsetOf("/activity", "/positions");
            h.assertBooksBalance();
        }
    }
}

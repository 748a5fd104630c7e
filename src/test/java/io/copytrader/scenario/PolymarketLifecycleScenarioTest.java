package io.copytrader.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.CopyTraderCli;
import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Decimals;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.Portfolio;
import io.copytrader.polymarket.PolymarketFake;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.TradeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

import static io.copytrader.scenario.PolymarketHarness.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The order lifecycle against the CLOB's awkward behaviours ({@link PolymarketFake}): price improvement, a
 * market-data outage while preparing, lost answers and replays, FAK remainders. Realistic settings (half the
 * target's size, the shipped caps, a SQLite store); each ends with the accounting identity and "every order the
 * CLOB took is a COPIED trade".
 */
@Timeout(180)
class PolymarketLifecycleScenarioTest {
    static final String YES = PolymarketFake.TOKEN;
    static final Duration SETTLE = Duration.ofSeconds(60);

    static String fill(int n, String side, String size, String price) {
        return PolymarketFake.activityRow(TARGET, "TRADE", String.format("0x%064x", n), Instant.now().getEpochSecond(),
                YES, side, size, price);
    }

    static OrderRecord onlyOrder(EngineHarness e) {
        List<OrderRecord> all = e.store().ordersIn(EnumSet.allOf(OrderRecordState.class));
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    @Test
    void shouldCopyABuyThatReceivedMoreSharesThanItSignedForAndHoldThemAll() {
        PolymarketHarness.Builder builder = PolymarketHarness.live();
        builder.fake().acceptOrders("matched");
        // the book moved our way: our BUY limited at 0.53 matches at 0.50, so $5.30 buys 10.6 shares, not 10
        builder.fake().fillAt("0.50");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target buys 20 YES at 0.52; we buy half, 10 shares, limit 0.53
            h.fake().serveActivity(TARGET, List.of(fill(1, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            // 2. copied and filled with the shares actually received; no failure counted
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            OrderRecord order = onlyOrder(e);
            assertThat(order.state()).isEqualTo(OrderRecordState.FILLED);
            assertThat(order.filledQuantity()).isEqualByComparingTo("10.6");
            assertThat(e.breaker().getMetrics().getNumberOfFailedCalls()).isZero();
            assertThat(e.breaker().getState().name()).isEqualTo("CLOSED");
            assertThat(e.store().deadLetters()).isEmpty();
            // 3. the book holds 10.6 shares that cost $5.30
            Portfolio book = e.bean("portfolio", Portfolio.class);
            assertThat(book.holding(new InstrumentId(YES)).quantity()).isEqualByComparingTo("10.6");
            assertThat(book.holding(new InstrumentId(YES)).cost()).isEqualByComparingTo("5.30");
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldSkipAFillDatedCenturiesAheadAndCopyTheRestOfItsPage() {
        PolymarketHarness.Builder builder = PolymarketHarness.live();
        builder.fake().acceptOrders("matched");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. a page of three buys; the Data API dates the second in the year 5138 (epoch seconds it still takes)
            String ahead = PolymarketFake.activityRow(TARGET, "TRADE", String.format("0x%064x", 2), 99_999_999_999L,
                    YES, "BUY", "20", "0.52");
            h.fake().serveActivity(TARGET, List.of(fill(1, "BUY", "20", "0.52"), ahead, fill(3, "BUY", "20", "0.52")));
            e.awaitSettled(3, SETTLE);
            double polls = e.counter(PipelineMetrics.FEED_POLLS);
            await().atMost(SETTLE).until(() -> e.counter(PipelineMetrics.FEED_POLLS) >= polls + 2);
            // 2. it is a trade dated ahead of the engine's clock when read (more than 30 s: no cursor moved there),
            // skipped once and recorded, read again at every poll as a duplicate; the other two are copied
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(2);
            assertThat(e.outcomes(TradeOutcome.SKIPPED)).isEqualTo(1);
            assertThat(e.counter(PipelineMetrics.TRADES_SKIPPED, "reason", Reason.FILTER_DATED_AHEAD.name()))
                    .isEqualTo(1.0);
            assertThat(e.counter(PipelineMetrics.ROWS_REJECTED, "reason", Reason.FEED_MALFORMED_ROW.name())).isZero();
            assertThat(e.store().detectedCount()).isEqualTo(3);
            assertThat(e.store().deadLetters()).isEmpty();
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldPrepareAgainAfterAMarketDataOutageAndPlaceTheOrderOnce() {
        PolymarketHarness.Builder builder = PolymarketHarness.live();
        builder.fake().acceptOrders("matched");
        // the book answers 503 once while we prepare the order: nothing was signed, nothing sent
        builder.fake().failNextMarketData("/book", 1, 503);
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target buys; our first look at the book fails, the retry prepares again
            h.fake().serveActivity(TARGET, List.of(fill(1, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            // 2. one POST /order, the trade copied, the order filled
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            assertThat(h.fake().requests("POST", "/order")).hasSize(1);
            assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FILLED);
            assertThat(h.fake().requests("GET", "/book").size()).isGreaterThanOrEqualTo(2);
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldFailTheTradeUnsentWhenTheBookStaysDownThroughEveryPreparation() {
        // one retry: two preparations, both failing
        PolymarketHarness.Builder builder = PolymarketHarness.live().set("copytrader.exchange.max-retries", 1);
        builder.fake().acceptOrders("matched");
        builder.fake().failNextMarketData("/book", 2, 503);
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target buys; the book answers 503 to each of our two looks at it
            h.fake().serveActivity(TARGET, List.of(fill(1, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            // 2. nothing signed or sent; the order failed unsent, the trade dead-lettered as the venue's failure,
            //    counted once by the breaker
            assertThat(h.fake().requests("GET", "/book")).hasSize(2);
            assertThat(h.fake().requests("POST", "/order")).isEmpty();
            assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FAILED);
            assertThat(onlyOrder(e).venueOrderId()).isNull();
            assertThat(e.outcomes(TradeOutcome.FAILED)).isEqualTo(1);
            assertThat(e.store().deadLetters()).singleElement()
                    .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.EXCHANGE_RETRIES_EXHAUSTED));
            assertThat(e.breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldTreatAnIntentWrittenWithoutAnOrderHashAsUnsentAtRestart() {
        PolymarketHarness.Builder builder = PolymarketHarness.live();
        builder.fake().acceptOrders("matched");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the engine stops as if killed between writing the intent and writing the signed order's hash
            e.stopEngine();
            Instant now = Instant.now();
            BigDecimal price = new BigDecimal("0.52");
            DetectedTrade trade = new DetectedTrade(new SourceTradeId(String.format("0x%064x", 7) + ":" + YES + ":BUY"),
                    new TraderId(TARGET), new InstrumentId(YES), "Yes", Side.BUY, price, new BigDecimal("20"),
                    Decimals.notional(price, new BigDecimal("20")), now.minusSeconds(2), now.minusSeconds(1));
            BigDecimal limit = new BigDecimal("0.5304");
            BigDecimal quantity = new BigDecimal("10");
            try (AutoCloseableStore store = new AutoCloseableStore(StoreFactory.open(h.storeUrl(), Clock.systemUTC()))) {
                assertThat(store.store().admit(trade)).isTrue();
                assertThat(store.store().recordIntent(trade.key(), new CopyIntent(trade.clientOrderId(), trade,
                        trade.instrument(), Side.BUY, limit, quantity, Decimals.notional(limit, quantity)))).isTrue();
            }
            // 2. at restart the trade is still fresh: it is prepared, signed and placed, once
            e.restartEngine();
            e.awaitSettled(1, SETTLE);
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            assertThat(h.fake().requests("POST", "/order")).hasSize(1);
            assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FILLED);
            h.assertBooksBalance();
        }
    }

    /** We hold 10 YES (bought at 0.50), and the CLOB says so: what a copied SELL sells. */
    static PolymarketHarness.Builder holdingTenYes(PolymarketHarness.Builder builder) {
        builder.fake().acceptOrders("matched");
        builder.fake().stubPosition(YES, "10", "0.50");
        builder.fake().stubHeld(YES, "10");
        return builder;
    }

    /** The signed order inside a posted body ({@code {"order":<signed>,"owner":...}}), as posted. */
    static String signedPart(String body, String signed) {
        assertThat(body).startsWith("{\"order\":" + signed + ",");
        return signed;
    }

    @Test
    void shouldLookUpNotFailASellTheVenueTookWhileAnswering504FourTimesAndPlaceItOnce() {
        // the shipped retries: 1 + 3 sends
        PolymarketHarness.Builder builder = holdingTenYes(PolymarketHarness.live());
        // the CLOB takes our SELL at the first post, but the gateway answers 504 to it and to the 3 re-posts
        builder.fake().loseAnswerOfNextOrders(4);
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target sells 20 YES; we sell our 10; four sends, four 504s
            h.fake().serveActivity(TARGET, List.of(fill(1, "SELL", "20", "0.50")));
            e.awaitSettled(1, SETTLE);
            // 2. every send posted the signed order persisted before the first, byte for byte
            List<String> posted = h.fake().requests("POST", "/order").stream().map(r -> r.getBodyAsString()).toList();
            assertThat(posted).hasSize(4).allMatch(posted.get(0)::equals);
            OrderRecord order = onlyOrder(e);
            String signed = e.store().signedOrder(order.clientOrderId()).orElseThrow();
            signedPart(posted.get(0), signed);
            // 3. not dead-lettered: the order may have been taken, so it was looked up by its hash, found, and the
            //    trade copied; the venue's failure counted once
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            assertThat(e.store().deadLetters()).isEmpty();
            await().atMost(SETTLE).untilAsserted(() -> assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FILLED));
            assertThat(e.breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
            // 4. a replay of everything finds nothing to replay; one order at the CLOB, under the persisted hash
            assertThat(CopyTraderCli.run("dead-letters", "--store", h.storeUrl(), "replay", "--all")).isZero();
            assertThat(h.fake().orders()).containsOnlyKeys(order.venueOrderId().value());
            assertThat(h.fake().requests("POST", "/order")).hasSize(4);
            Portfolio book = e.bean("portfolio", Portfolio.class);
            // the book gave up exactly the shares the CLOB sold, once
            assertThat(book.holding(new InstrumentId(YES)).quantity()
                    .add(h.fake().sharesMatched(order.venueOrderId().value()))).isEqualByComparingTo("10");
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldFindABuyTheVenueFilledAndNoLongerListsWhenItsAnswerWasLost() {
        PolymarketHarness.Builder builder = PolymarketHarness.live().set("copytrader.monitor.unknown-grace-ms", 300);
        builder.fake().acceptOrders("matched");
        // the CLOB fills our FOK at the first post, the gateway answers 504 to it and to the 3 re-posts; once done,
        // the CLOB no longer lists the order (GET /data/order answers null): its fill is only in /data/trades
        builder.fake().loseAnswerOfNextOrders(4);
        builder.fake().forgetMatchedOrders(true);
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target buys 20 YES at 0.52; we buy 10; the four answers are lost
            h.fake().serveActivity(TARGET, List.of(fill(1, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            assertThat(h.fake().requests("POST", "/order")).hasSize(4);
            assertThat(h.fake().orders()).hasSize(1);
            // 2. the lookup finds the order's trade: copied and filled, not failed as unknown to the venue
            assertThat(e.store().deadLetters()).isEmpty();
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            OrderRecord order = onlyOrder(e);
            assertThat(order.state()).isEqualTo(OrderRecordState.FILLED);
            assertThat(order.filledQuantity()).isEqualByComparingTo("10");
            // 3. the book holds the 10 shares the CLOB filled
            Portfolio book = e.bean("portfolio", Portfolio.class);
            assertThat(book.holding(new InstrumentId(YES)).quantity()).isEqualByComparingTo("10");
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldLookUpNotRejectASellRefusedForBalanceAfterAnEarlierSendWasTaken() {
        PolymarketHarness.Builder builder = holdingTenYes(PolymarketHarness.live())
                .set("copytrader.monitor.unknown-grace-ms", 300);
        // the CLOB takes our SELL at the first post but the gateway answers 504; the done order is forgotten,
        // so the re-post of the same bytes is checked as a new order: "not enough balance / allowance"
        builder.fake().loseAnswerOfNextOrders(1);
        builder.fake().forgetMatchedOrders(true);
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target sells 20 YES; we sell our share of it: a 504, then the refusal of the re-post
            h.fake().serveActivity(TARGET, List.of(fill(1, "SELL", "20", "0.50")));
            e.awaitSettled(1, SETTLE);
            assertThat(h.fake().requests("POST", "/order")).hasSize(2);
            assertThat(h.fake().orders()).hasSize(1);
            // 2. the refusal proves nothing about the first send: looked up, found sold, the trade copied
            assertThat(e.store().deadLetters()).isEmpty();
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            await().atMost(SETTLE).untilAsserted(() -> assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FILLED));
            BigDecimal sold = h.fake().sharesMatched(onlyOrder(e).venueOrderId().value());
            assertThat(onlyOrder(e).filledQuantity()).isEqualByComparingTo(sold);
            // 3. the book gave up exactly the shares the CLOB sold
            Portfolio book = e.bean("portfolio", Portfolio.class);
            assertThat(book.holding(new InstrumentId(YES)).quantity().add(sold)).isEqualByComparingTo("10");
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldFollowTheOrderTheVenueTookWhenASellFailedAsUnknownIsReplayed() {
        PolymarketHarness.Builder builder = holdingTenYes(PolymarketHarness.live())
                .set("copytrader.monitor.unknown-grace-ms", 300);
        // the CLOB takes our SELL, the gateway answers 504 to each of the four sends, and the CLOB's order data lags:
        // looked up, the order is not there
        builder.fake().loseAnswerOfNextOrders(4);
        builder.fake().hideOrdersFromLookups(true);
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target sells 20 YES; we sell our 10; the answers are lost and the lookups find nothing past the
            //    grace period: the trade fails to the dead letters as an unknown outcome
            h.fake().serveActivity(TARGET, List.of(fill(1, "SELL", "20", "0.50")));
            e.awaitSettled(1, SETTLE);
            assertThat(h.fake().requests("POST", "/order")).hasSize(4);
            assertThat(h.fake().orders()).hasSize(1);
            assertThat(e.store().deadLetters()).singleElement()
                    .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.EXCHANGE_UNKNOWN_OUTCOME));
            assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FAILED);
            // 2. the shares are sold: the CLOB now reports none held, and its order data caught up
            h.fake().stubHeld(YES, "0");
            h.fake().hideOrdersFromLookups(false);
            // 3. a person replays the dead letter: the venue is asked for the earlier hash first, and has it
            assertThat(CopyTraderCli.run("dead-letters", "--store", h.storeUrl(), "replay", "--all")).isZero();
            await().atMost(SETTLE).untilAsserted(() -> assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1));
            e.awaitSettled(1, SETTLE);
            // 4. one order at the CLOB, no further post, nothing signed again; the trade follows the order it took
            assertThat(h.fake().requests("POST", "/order")).hasSize(4);
            assertThat(h.fake().orders()).hasSize(1);
            await().atMost(SETTLE).untilAsserted(() -> assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FILLED));
            h.assertBooksBalanceAfterReplay();
        }
    }

    @Test
    void shouldSignAgainOnceWhenAReplayedSellIsConfirmedAbsent() {
        PolymarketHarness.Builder builder = holdingTenYes(PolymarketHarness.live())
                .set("copytrader.monitor.unknown-grace-ms", 300);
        // four 504s from a CLOB that took nothing
        builder.fake().failNextOrders(4, 504, "Gateway Timeout");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target sells 20 YES; we sell our 10; the order may be at the venue, so it is looked up: absent
            //    past the grace period, it fails to the dead letters
            h.fake().serveActivity(TARGET, List.of(fill(1, "SELL", "20", "0.50")));
            e.awaitSettled(1, SETTLE);
            List<String> first = h.fake().requests("POST", "/order").stream().map(r -> r.getBodyAsString()).toList();
            assertThat(first).hasSize(4).allMatch(first.get(0)::equals);
            assertThat(h.fake().orders()).isEmpty();
            assertThat(e.store().deadLetters()).singleElement()
                    .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.EXCHANGE_UNKNOWN_OUTCOME));
            String firstHash = onlyOrder(e).venueOrderId().value();
            // 2. meanwhile 2 of our shares went elsewhere: the CLOB reports 8 held
            h.fake().stubHeld(YES, "8");
            int lookups = h.fake().requests("GET", "/data/order/" + firstHash).size();
            // 3. a person replays it: the venue confirms the earlier hash absent, so the order is signed again (8
            //    shares: a new hash), persisted, and posted once
            assertThat(CopyTraderCli.run("dead-letters", "--store", h.storeUrl(), "replay", "--all")).isZero();
            await().atMost(SETTLE).untilAsserted(() -> assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1));
            e.awaitSettled(1, SETTLE);
            assertThat(h.fake().requests("GET", "/data/order/" + firstHash)).hasSizeGreaterThan(lookups);
            List<String> posted = h.fake().requests("POST", "/order").stream().map(r -> r.getBodyAsString()).toList();
            assertThat(posted).hasSize(5);
            assertThat(posted.get(4)).isNotEqualTo(posted.get(0));
            OrderRecord order = onlyOrder(e);
            assertThat(order.venueOrderId().value()).isNotEqualTo(firstHash);
            signedPart(posted.get(4), e.store().signedOrder(order.clientOrderId()).orElseThrow());
            // 4. one order at the CLOB: the re-signed one, for the 8 shares held
            assertThat(h.fake().orders()).containsOnlyKeys(order.venueOrderId().value());
            assertThat(h.fake().sharesMatched(order.venueOrderId().value())).isEqualByComparingTo("8");
            await().atMost(SETTLE).untilAsserted(() -> assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FILLED));
            h.assertBooksBalanceAfterReplay();
        }
    }

    @Test
    void shouldSignTheSameOrderForATradeDetectedAgainAfterTheStoreWasLost() throws IOException {
        PolymarketHarness.Builder builder = PolymarketHarness.live();
        builder.fake().acceptOrders("matched");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target buys; we copy it
            h.fake().serveActivity(TARGET, List.of(fill(1, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            assertThat(h.fake().orders()).hasSize(1);
            // 2. the engine stops and its store is lost; it restarts while the trade is still fresh
            e.stopEngine();
            Path db = Path.of(h.storeUrl().substring("jdbc:sqlite:".length()));
            for (String suffix : List.of("", "-wal", "-shm")) {
                Files.deleteIfExists(Path.of(db + suffix));
            }
            e.restartEngine();
            // 3. the trade is detected again and signed to the same hash: the CLOB refuses it as Duplicated, the
            //    order is found by that hash, the trade is copied; the CLOB still holds one order
            e.awaitSettled(1, SETTLE);
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            assertThat(h.fake().orders()).hasSize(1);
            await().atMost(SETTLE).untilAsserted(() -> assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FILLED));
            assertThat(onlyOrder(e).venueOrderId().value()).isEqualTo(h.fake().orders().keySet().iterator().next());
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldEndAPartlyFilledFakOrderWithoutCancellingItForEver() {
        PolymarketHarness.Builder builder = PolymarketHarness.live()
                .set("copytrader.polymarket.order-type", "FAK")
                .set("copytrader.monitor.max-resting-ms", 200);
        builder.fake().acceptOrders("matched");
        // only 4 of our 10 shares can match: the CLOB fills those and kills the rest
        builder.fake().fillFraction("0.4");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target buys 20; our FAK for 10 fills 4
            h.fake().serveActivity(TARGET, List.of(fill(1, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            // 2. let the monitor run well past the resting limit (the feed is polled every 20 ms, the monitor 50 ms)
            int polls = h.fake().requests("GET", "/activity").size();
            await().atMost(SETTLE).until(() -> h.fake().requests("GET", "/activity").size() >= polls + 60);
            // 3. the order ended with what filled; nothing to cancel, no cancel sent
            OrderRecord order = onlyOrder(e);
            assertThat(order.state().isTerminal()).isTrue();
            assertThat(order.filledQuantity()).isEqualByComparingTo("4");
            assertThat(h.fake().requests("DELETE", "/order")).isEmpty();
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            Portfolio book = e.bean("portfolio", Portfolio.class);
            assertThat(book.holding(new InstrumentId(YES)).quantity()).isEqualByComparingTo("4");
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldLookUpWhatAFakOrderFilledWhenTheAnswerCarriesOnlyTradeIds() {
        PolymarketHarness.Builder builder = PolymarketHarness.live()
                .set("copytrader.polymarket.order-type", "FAK");
        builder.fake().acceptOrders("matched");
        // only 4 of our 10 shares can match, and the answer says "matched" with its trade ids but no amounts
        builder.fake().fillFraction("0.4");
        builder.fake().answerWithTradeIdsOnly(true);
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target buys 20; our FAK for 10 fills 4
            h.fake().serveActivity(TARGET, List.of(fill(1, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            // 2. what filled is the venue's figure, looked up, not the size we asked for
            await().atMost(SETTLE).untilAsserted(() -> assertThat(onlyOrder(e).state().isTerminal()).isTrue());
            assertThat(onlyOrder(e).filledQuantity()).isEqualByComparingTo("4");
            Portfolio book = e.bean("portfolio", Portfolio.class);
            assertThat(book.holding(new InstrumentId(YES)).quantity()).isEqualByComparingTo("4");
            assertThat(h.fake().requests("POST", "/order")).hasSize(1);
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldWaitForADelayedOrderTheClobDoesNotListYetAndBookItsFill() {
        PolymarketHarness.Builder builder = PolymarketHarness.live();
        // the CLOB takes our order for delayed matching, and its order data lags: the first lookups find nothing
        builder.fake().acceptOrders("delayed");
        builder.fake().hideOrdersFromLookups(true);
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target buys 20 YES; our order for 10 is taken, delayed
            h.fake().serveActivity(TARGET, List.of(fill(1, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            String hash = h.fake().orders().keySet().iterator().next();
            // 2. the monitor looks it up and the CLOB does not list it yet
            await().atMost(SETTLE).until(() -> !h.fake().requests("GET", "/data/order/" + hash).isEmpty());
            // 3. the order data catches up: the order matched in full
            h.fake().hideOrdersFromLookups(false);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FILLED));
            assertThat(onlyOrder(e).filledQuantity()).isEqualByComparingTo("10");
            Portfolio book = e.bean("portfolio", Portfolio.class);
            assertThat(book.holding(new InstrumentId(YES)).quantity()).isEqualByComparingTo("10");
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldLookUpAnOrderAnsweredUnmatchedAndFollowItWhenTheClobTookIt() {
        PolymarketHarness.Builder builder = PolymarketHarness.live();
        // "marketable, but failure delaying, placement successful": the CLOB took the order, and it matched
        builder.fake().acceptOrders("unmatched");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            h.fake().serveActivity(TARGET, List.of(fill(1, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            // looked up by its hash, never sent again: copied with what the CLOB filled, not refused
            assertThat(h.fake().requests("POST", "/order")).hasSize(1);
            await().atMost(SETTLE).untilAsserted(() -> assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FILLED));
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            assertThat(onlyOrder(e).filledQuantity()).isEqualByComparingTo("10");
            assertThat(e.store().deadLetters()).isEmpty();
            Portfolio book = e.bean("portfolio", Portfolio.class);
            assertThat(book.holding(new InstrumentId(YES)).quantity()).isEqualByComparingTo("10");
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldFailAnOrderAnsweredUnmatchedOnceTheClobConfirmsItNeverTookIt() {
        PolymarketHarness.Builder builder = PolymarketHarness.live().set("copytrader.monitor.unknown-grace-ms", 300);
        builder.fake().acceptOrders("unmatched");
        builder.fake().unmatchedOrdersTaken(false);
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            h.fake().serveActivity(TARGET, List.of(fill(1, "BUY", "20", "0.52")));
            e.awaitSettled(1, SETTLE);
            // not found after the grace period: failed to the dead letters (replayable), never sent again
            assertThat(e.outcomes(TradeOutcome.FAILED)).isEqualTo(1);
            assertThat(onlyOrder(e).state()).isEqualTo(OrderRecordState.FAILED);
            assertThat(h.fake().requests("POST", "/order")).hasSize(1);
            assertThat(e.store().deadLetters()).singleElement().satisfies(d -> assertThat(d.trade().key())
                    .isEqualTo(onlyOrder(e).tradeKey()));
            Portfolio book = e.bean("portfolio", Portfolio.class);
            assertThat(book.holding(new InstrumentId(YES)).quantity()).as("the reservation given back").isZero();
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldSellAPositionListedPastTheFirstPageOfPositions() {
        PolymarketHarness.Builder builder = PolymarketHarness.live();
        builder.fake().acceptOrders("matched");
        // an account that copied for months: 620 positions, our 10 YES on the second page of the Data API's 500
        builder.fake().stubManyPositions(620, 560, YES, "10");
        builder.fake().stubHeld(YES, "10");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target sells 20 YES: we sell our 10 too
            h.fake().serveActivity(TARGET, List.of(fill(1, "SELL", "20", "0.50")));
            e.awaitSettled(1, SETTLE);
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            assertThat(h.fake().orders()).hasSize(1);
            Portfolio book = e.bean("portfolio", Portfolio.class);
            assertThat(book.holding(new InstrumentId(YES)).quantity()
                    .add(h.fake().sharesMatched(onlyOrder(e).venueOrderId().value()))).isEqualByComparingTo("10");
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldSellTheTargetsShareOfAPositionListedPastTheFirstPageOfItsPositions() {
        PolymarketHarness.Builder builder = holdingTenYes(PolymarketHarness.live());
        // the target holds 100 YES among 700 positions: YES on the second page of the Data API's 500
        builder.fake().stubManyPositions(TARGET, 700, 640, YES, "100");
        try (PolymarketHarness h = builder.start()) {
            EngineHarness e = h.engine();
            // 1. the target sells half of its 100 YES (a fill stamped after the snapshot of its positions): we sell
            //    half of our 10, not all of them
            h.fake().serveActivity(TARGET, List.of(PolymarketFake.activityRow(TARGET, "TRADE", String.format("0x%064x", 1),
                    Instant.now().getEpochSecond() + 5, YES, "SELL", "50", "0.50")));
            e.awaitSettled(1, SETTLE);
            assertThat(e.outcomes(TradeOutcome.COPIED)).isEqualTo(1);
            JsonNode order = h.fake().orders().values().iterator().next();
            assertThat(PolymarketFake.shares(order)).isEqualByComparingTo("5");
            h.assertBooksBalance();
        }
    }

    @Test
    void shouldRefuseToStartLiveWithOneLineWhenEveryOrderWouldFail() {
        PolymarketHarness.Builder builder = PolymarketHarness.live();
        // no pUSD and no positions: nothing to buy with, nothing to sell
        builder.fake().stubAccount("0");
        io.copytrader.engine.StartupFailure.take();
        org.assertj.core.api.Assertions.assertThatThrownBy(builder::start).isInstanceOf(IllegalStateException.class);
        RuntimeException refused = io.copytrader.engine.StartupFailure.take();
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).startsWith("Polymarket preflight: funder " + PolymarketFake.FUNDER)
                .contains("every order would fail").doesNotContain("\n");
    }

    /** A store opened beside a stopped engine, closed after. */
    record AutoCloseableStore(TradeStore store) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }
}

package io.copytrader.engine;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.venue.PositionSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static io.copytrader.engine.Trades.NO_TOKEN;
import static io.copytrader.engine.Trades.T0;
import static io.copytrader.engine.Trades.YES_TOKEN;
import static io.copytrader.engine.Trades.buy;
import static io.copytrader.engine.Trades.intent;
import static io.copytrader.engine.Trades.sell;
import static io.copytrader.engine.Trades.trade;
import static io.copytrader.engine.Trades.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The optimistic book. Rules: COPY_RATIO 0.1, MAX_POSITION_SIZE_USD 10, MAX_PORTFOLIO_EXPOSURE 0.8, slippage 2%,
 * smallest order 1 USD, quantities at 2 decimals; a buy of 100 at 0.50 is a copy of 10 shares at limit 0.51 (5.10 USD).
 */
class PortfolioTest {
    static final SizingRules RULES = SizingTest.RULES;

    Portfolio portfolio;

    @BeforeEach
    void startWithCash() {
        portfolio = new Portfolio();
        holdNothing("1000");
    }

    void holdNothing(String cash) {
        portfolio.reconcile(usd(cash), List.of(), List.of(), Map.of());
    }

    void hold(String cash, String quantity, String avgPrice) {
        portfolio.reconcile(usd(cash), List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal(quantity),
                new BigDecimal(avgPrice))), List.of(), Map.of());
    }

    CopyIntent plan(DetectedTrade trade) {
        return intent(trade, portfolio.planAndReserve(trade, RULES));
    }

    /** A sell of ours the venue lists open (sized in an earlier run, or before the last refresh). */
    static CopyIntent openSell(String id, String quantity, String limit) {
        return intent(sell(id, "0.50", "1000"), new Sizing.Decision(new BigDecimal(quantity), new BigDecimal(limit), null));
    }

    @Test
    void shouldReserveABuyAsIfFilledAtItsLimit() {
        plan(buy("b1", "0.50", "100"));

        assertThat(portfolio.cash()).isEqualByComparingTo("994.90");
        assertThat(portfolio.exposure()).isEqualByComparingTo("5.10");
        Portfolio.Holding h = portfolio.holding(YES_TOKEN);
        assertThat(h.quantity()).isEqualByComparingTo("10");
        assertThat(h.cost()).isEqualByComparingTo("5.10");
        assertThat(h.pendingBuy()).isEqualByComparingTo("10");
        assertThat(h.sellable()).isEqualByComparingTo("0");
    }

    @Test
    void shouldCorrectTheCostWhenABuyFillsAtABetterPrice() {
        CopyIntent b = plan(buy("b1", "0.50", "100"));

        // all 10 filled at 0.49 instead of the 0.51 limit: 4.90 USD, 0.20 back to cash
        portfolio.settle(b, new BigDecimal("10"), new BigDecimal("0.49"));

        assertThat(portfolio.cash()).isEqualByComparingTo("995.10");
        assertThat(portfolio.exposure()).isEqualByComparingTo("4.90");
        Portfolio.Holding h = portfolio.holding(YES_TOKEN);
        assertThat(h.quantity()).isEqualByComparingTo("10");
        assertThat(h.cost()).isEqualByComparingTo("4.90");
        assertThat(h.sellable()).isEqualByComparingTo("10");
    }

    @Test
    void shouldReleaseTheUnfilledPartOfAPartialFillThenCancel() {
        CopyIntent b = plan(buy("b1", "0.50", "100"));

        // 4 of 10 filled at 0.50 = 2.00 USD, the other 6 canceled
        portfolio.settle(b, new BigDecimal("4"), new BigDecimal("0.50"));

        assertThat(portfolio.cash()).isEqualByComparingTo("998.00");
        assertThat(portfolio.exposure()).isEqualByComparingTo("2.00");
        Portfolio.Holding h = portfolio.holding(YES_TOKEN);
        assertThat(h.quantity()).isEqualByComparingTo("4");
        assertThat(h.cost()).isEqualByComparingTo("2.00");
        assertThat(h.pendingBuy()).isEqualByComparingTo("0");
        assertThat(h.sellable()).isEqualByComparingTo("4");
    }

    @Test
    void shouldRestoreCashAndExposureExactlyWhenARefusedBuyIsReleased() {
        CopyIntent b = plan(buy("b1", "0.3333", "100"));

        portfolio.release(b);

        assertThat(portfolio.cash()).isEqualByComparingTo("1000");
        assertThat(portfolio.exposure()).isEqualByComparingTo("0");
        assertThat(portfolio.holdings()).isEmpty();
    }

    @Test
    void shouldRestoreAnExistingHoldingExactlyWhenABuyOnTopOfItIsReleased() {
        hold("100", "20", "0.40");
        CopyIntent b = plan(buy("b1", "0.50", "100"));

        portfolio.release(b);

        assertThat(portfolio.cash()).isEqualByComparingTo("100");
        assertThat(portfolio.exposure()).isEqualByComparingTo("8.00");
        Portfolio.Holding h = portfolio.holding(YES_TOKEN);
        assertThat(h.quantity()).isEqualByComparingTo("20");
        assertThat(h.cost()).isEqualByComparingTo("8.00");
        assertThat(h.pendingBuy()).isEqualByComparingTo("0");
    }

    @Test
    void shouldTakeSoldSharesOffAtAverageCost() {
        // 20 held at 0.40 = 8.00 USD; copy sell of 10 at limit 0.49 = 4.90 USD
        hold("100", "20", "0.40");

        CopyIntent s = plan(sell("s1", "0.50", "100"));

        assertThat(s.quantity()).isEqualByComparingTo("10");
        assertThat(portfolio.cash()).isEqualByComparingTo("104.90");
        assertThat(portfolio.exposure()).isEqualByComparingTo("4.00");
        assertThat(portfolio.holding(YES_TOKEN).quantity()).isEqualByComparingTo("10");
        assertThat(portfolio.holding(YES_TOKEN).cost()).isEqualByComparingTo("4.00");

        // sold at 0.52, better than the limit: 5.20 USD
        portfolio.settle(s, new BigDecimal("10"), new BigDecimal("0.52"));

        assertThat(portfolio.cash()).isEqualByComparingTo("105.20");
        assertThat(portfolio.exposure()).isEqualByComparingTo("4.00");
    }

    @Test
    void shouldCountAnOpenSellsSharesInTheCapOfABuyOfTheSameInstrumentUntilTheSellFills() {
        // 20 held at 0.40 = 8.00 USD of the 10 USD cap; a copy sell of 10 takes 4.00 off and is still out
        hold("100", "20", "0.40");
        CopyIntent s = plan(sell("s1", "0.50", "100"));
        assertThat(portfolio.holding(YES_TOKEN).cost()).isEqualByComparingTo("4.00");

        // a buy of 10 at 0.51 (5.10) sized meanwhile has 10 - 8.00 of room, not 10 - 4.00: the sell may still fail
        CopyIntent b1 = plan(buy("b1", "0.50", "100"));
        assertThat(b1.quantity()).isEqualByComparingTo("3.92");
        // and if it does, the holding stays within the cap: 8.00 + 3.92 * 0.51
        portfolio.release(s);
        assertThat(portfolio.holding(YES_TOKEN).cost()).isEqualByComparingTo("9.9992");
    }

    @Test
    void shouldFreeTheCapOfABuyOnceTheOpenSellOfItsInstrumentFilled() {
        hold("100", "20", "0.40");
        CopyIntent s = plan(sell("s1", "0.50", "100"));
        portfolio.settle(s, new BigDecimal("10"), new BigDecimal("0.50"));

        // 4.00 of cost left: a buy of 10 at 0.51 fits whole
        assertThat(plan(buy("b1", "0.50", "100")).quantity()).isEqualByComparingTo("10");
    }

    @Test
    void shouldNotCountAnOpenSellOfAnotherInstrumentInTheCapOfABuy() {
        portfolio.reconcile(usd("100"), List.of(new PositionSnapshot(NO_TOKEN, new BigDecimal("20"),
                new BigDecimal("0.40"))), List.of(), Map.of());
        plan(trade("s1", NO_TOKEN, Side.SELL, "0.50", "100", T0));

        // all 10 USD of the cap are room: 100 shares wanted, 10 / 0.51 = 19.60 placed
        assertThat(plan(buy("b1", "0.50", "1000")).quantity()).isEqualByComparingTo("19.60");
    }

    @Test
    void shouldGiveSharesBackWhenARefusedSellIsReleased() {
        hold("100", "20", "0.40");
        CopyIntent s = plan(sell("s1", "0.50", "100"));

        portfolio.release(s);

        assertThat(portfolio.cash()).isEqualByComparingTo("100");
        assertThat(portfolio.exposure()).isEqualByComparingTo("8.00");
        assertThat(portfolio.holding(YES_TOKEN).quantity()).isEqualByComparingTo("20");
        assertThat(portfolio.holding(YES_TOKEN).cost()).isEqualByComparingTo("8.00");
    }

    @Test
    void shouldRestoreTheOriginalCostWhenASellOfTheWholeHoldingIsReleased() {
        // 10 held at 0.40 = 4.00 USD; the copy sell (100 wanted) is capped to all 10, at limit 0.49
        hold("100", "10", "0.40");
        CopyIntent s = plan(sell("s1", "0.50", "1000"));
        assertThat(s.quantity()).isEqualByComparingTo("10");
        assertThat(portfolio.holdings()).isEmpty();

        portfolio.release(s);

        // the shares come back at what they cost (4.00), not at the sell's limit (4.90)
        assertThat(portfolio.cash()).isEqualByComparingTo("100");
        assertThat(portfolio.exposure()).isEqualByComparingTo("4.00");
        assertThat(portfolio.holding(YES_TOKEN).quantity()).isEqualByComparingTo("10");
        assertThat(portfolio.holding(YES_TOKEN).cost()).isEqualByComparingTo("4.00");
    }

    @Test
    void shouldGiveBackTheUnsoldPartOfAPartiallyFilledSellAtItsCost() {
        // 30 held at 1/3 = 10.00 USD; sell 10 at limit 0.49 takes 3.333333 of cost off
        hold("100", "30", "0.33333333333");
        CopyIntent s = plan(sell("s1", "0.50", "100"));

        // 4 sold at 0.50, 6 canceled
        portfolio.settle(s, new BigDecimal("4"), new BigDecimal("0.50"));

        assertThat(portfolio.cash()).isEqualByComparingTo("102.00");
        Portfolio.Holding h = portfolio.holding(YES_TOKEN);
        assertThat(h.quantity()).isEqualByComparingTo("26");
        // 26 * 0.333333333 at USD scale, give or take the micro-dollar that rounding twice may move
        assertThat(h.cost()).isBetween(usd("8.666665"), usd("8.666668"));
        assertThat(portfolio.exposure()).isEqualByComparingTo(h.cost());
    }

    @Test
    void shouldNotLetASellTakeSharesOfABuyThatHasNotFilled() {
        plan(buy("b1", "0.50", "100"));

        Sizing.Decision d = portfolio.planAndReserve(sell("s1", "0.50", "100"), RULES);

        assertThat(d.skipReason()).isEqualTo(Reason.RISK_NOTHING_TO_SELL);
    }

    @Test
    void shouldCapASellRightAfterAnUnfilledBuyToTheSettledQuantity() {
        // 5 settled shares, then a buy of 10 still open: a copy sell of 100 wanted may take 5
        hold("100", "5", "0.40");
        plan(buy("b1", "0.50", "100"));

        CopyIntent s = plan(sell("s1", "0.50", "1000"));

        assertThat(s.quantity()).isEqualByComparingTo("5");
        assertThat(portfolio.holding(YES_TOKEN).sellable()).isEqualByComparingTo("0");
        assertThat(portfolio.holding(YES_TOKEN).quantity()).isEqualByComparingTo("10");
    }

    @Test
    void shouldCostASellAtTheSettledSharesNotAtTheOpenBuysLimit() {
        // 5 settled at 0.50 = 2.50 USD; a buy of 10 open at limit 0.612 = 6.12 USD
        hold("100", "5", "0.50");
        CopyIntent b = plan(buy("b1", "0.60", "100"));
        // sell all 5 settled shares: their 2.50 USD leave the book, the open buy's 6.12 stays
        CopyIntent s = plan(sell("s1", "0.60", "1000"));
        assertThat(s.quantity()).isEqualByComparingTo("5");

        assertThat(portfolio.exposure()).isEqualByComparingTo("6.12");
        assertThat(portfolio.holding(YES_TOKEN).cost()).isEqualByComparingTo("6.12");

        // the venue refuses the buy: nothing is left, and exposure is zero, not negative
        portfolio.release(b);

        assertThat(portfolio.exposure()).isEqualByComparingTo("0");
        assertThat(portfolio.holdings()).isEmpty();
    }

    // ---- a sell while orders of its instrument are out (docs/ordering.md): it goes when the settled shares cover it

    @Test
    void shouldSkipASellTooSmallToPlaceWhileABuyOfItsInstrumentIsOut() {
        // 20 settled, a buy out; the copy of a sell of 10 is 1 share at 0.49, below the 1 USD minimum
        hold("1000", "20", "0.40");
        plan(buy("b1", "0.50", "100"));
        DetectedTrade s1 = sell("s1", "0.50", "10");

        assertThat(portfolio.sellGoesNow(s1, RULES, null)).isFalse();
        assertThat(portfolio.planAndReserve(s1, RULES).skipReason()).isEqualTo(Reason.SIZING_TOO_SMALL);
    }

    @Test
    void shouldNeverLetABuyGoAsASellOfSettledShares() {
        hold("1000", "100", "0.40");

        assertThat(portfolio.sellGoesNow(buy("b1", "0.50", "100"), SizingTest.UNCAPPED, null)).isFalse();
    }

    @Test
    void shouldSizeASellAsIfTheOpenBuyFilledWhenTheSettledSharesCoverIt() {
        // 100 settled shares, a buy of 10 open; the target sells 10 % of its 1,000: 10 % of our 110 is 11, all settled
        hold("1000", "100", "0.40");
        DetectedTrade b1 = buy("b1", "0.50", "100");
        CopyIntent b = intent(b1, portfolio.planAndReserve(b1, SizingTest.UNCAPPED));
        DetectedTrade s1 = sell("s1", "0.50", "100");

        assertThat(portfolio.sellGoesNow(s1, RULES, new BigDecimal("1000"))).isTrue();
        Sizing.Decision d = portfolio.planAndReserve(s1, RULES, new BigDecimal("1000"));

        assertThat(d.quantity()).as("what it would sell once the buy filled").isEqualByComparingTo("11");
        Portfolio.Holding h = portfolio.holding(YES_TOKEN);
        assertThat(h.sellable()).isEqualByComparingTo("89");
        assertThat(h.pendingBuy()).isEqualByComparingTo("10");
        portfolio.settle(b, new BigDecimal("10"), new BigDecimal("0.50"));
        assertThat(portfolio.holding(YES_TOKEN).quantity()).as("90 % of 110").isEqualByComparingTo("99");
    }

    @Test
    void shouldLetASellOfExactlyTheSettledSharesGoSizedAsIfTheOpenBuyFilled() {
        // 10 settled, a buy of 10 open; the target sells half: half of our 20 is the 10 settled, not all 20
        hold("1000", "10", "0.40");
        DetectedTrade b1 = buy("b1", "0.50", "100");
        intent(b1, portfolio.planAndReserve(b1, SizingTest.UNCAPPED));
        DetectedTrade s1 = sell("s1", "0.50", "500");

        assertThat(portfolio.sellGoesNow(s1, RULES, new BigDecimal("1000"))).isTrue();
        assertThat(portfolio.planAndReserve(s1, RULES, new BigDecimal("1000")).quantity()).isEqualByComparingTo("10");
    }

    @Test
    void shouldKeepASellThatNeedsTheOpenBuysSharesWaitingAndSizeItOnTheSettledOnesIfTakenAnyway() {
        // 5 settled, a buy of 10 open; the target sells half: half of our 15 is 7.5, more than the 5 settled
        hold("1000", "5", "0.40");
        plan(buy("b1", "0.50", "100"));
        DetectedTrade s1 = sell("s1", "0.50", "500");

        assertThat(portfolio.sellGoesNow(s1, RULES, new BigDecimal("1000"))).isFalse();
        Sizing.Decision d = portfolio.planAndReserve(s1, RULES, new BigDecimal("1000"));
        assertThat(d.quantity()).as("half of the 5 settled, as before the projection").isEqualByComparingTo("2.5");
    }

    @Test
    void shouldKeepASellOfEverythingWaitingWhileOrdersOfItsInstrumentAreOut() {
        hold("1000", "100", "0.40");
        CopyIntent s0 = plan(sell("s0", "0.50", "200"));
        assertThat(s0.quantity()).isEqualByComparingTo("20");
        DetectedTrade rest = sell("s1", "0.50", "1000");

        assertThat(portfolio.sellGoesNow(rest, RULES, new BigDecimal("1000")))
                .as("the target sells all it holds: we sell what is left once s0 is answered").isFalse();
        assertThat(portfolio.sellGoesNow(sell("s2", "0.50", "500"), RULES, new BigDecimal("1000")))
                .as("half of the 80 left").isTrue();
        assertThat(portfolio.sellGoesNow(sell("s3", "0.50", "5000"), RULES, null))
                .as("without the target's position: a sell of more than we hold sells everything").isFalse();
        assertThat(portfolio.sellGoesNow(buy("b1", "0.50", "100"), RULES, null)).isFalse();
        assertThat(portfolio.sellGoesNow(sell("s4", "0.50", "1"), RULES, new BigDecimal("1000")))
                .as("0.1 of 1 %, below the smallest order: it sells everything (SELL_BELOW_MINIMUM=all)").isFalse();
    }

    @Test
    void shouldMakeABuySellableOnceItFills() {
        CopyIntent b = plan(buy("b1", "0.50", "100"));
        portfolio.settle(b, new BigDecimal("10"), new BigDecimal("0.50"));

        CopyIntent s = plan(sell("s1", "0.50", "1000"));

        assertThat(s.quantity()).isEqualByComparingTo("10");
    }

    @Test
    void shouldHoldNothingToSellAndTakeTheFirstRefreshWhateverWasSettledBeforeIt() {
        Portfolio fresh = new Portfolio();
        assertThat(fresh.planAndReserve(sell("s1", "0.50", "100"), RULES).skipReason())
                .isEqualTo(Reason.RISK_NOTHING_TO_SELL);
        long seen = fresh.version();

        // the monitor settles a previous run's buy before the first refresh
        fresh.settle(intent(buy("b0", "0.50", "100"), new Sizing.Decision(new BigDecimal("10"), new BigDecimal("0.51"),
                null)), new BigDecimal("10"), new BigDecimal("0.50"));

        assertThat(fresh.reconcileIfUnchanged(seen, usd("995"), List.of(new PositionSnapshot(YES_TOKEN,
                new BigDecimal("10"), new BigDecimal("0.50"))), List.of(), Map.of())).isTrue();
        assertThat(fresh.cash()).isEqualByComparingTo("995");
        assertThat(fresh.holding(YES_TOKEN).sellable()).isEqualByComparingTo("10");
    }

    @Test
    void shouldSettleAnOrderEndedWithoutAFillFigureAsUnfilled() {
        CopyIntent b = plan(buy("b1", "0.50", "100"));

        portfolio.settle(b, null, null);

        assertThat(portfolio.cash()).isEqualByComparingTo("1000");
        assertThat(portfolio.holdings()).isEmpty();
    }

    @Test
    void shouldReplaceTheBookWithVenuePositionsPlusOpenOrders() {
        plan(trade("b0", NO_TOKEN, Side.BUY, "0.50", "100", T0));
        // an open buy of 10 at 0.51 with 4 filled so far: 6 still to come, 3.06 USD
        CopyIntent openBuy = intent(buy("b1", "0.50", "100"), new Sizing.Decision(new BigDecimal("10"),
                new BigDecimal("0.51"), null));
        // an open sell of 5 at 0.49, nothing filled yet: the venue still shows the shares
        CopyIntent openSell = intent(sell("s1", "0.50", "50"), new Sizing.Decision(new BigDecimal("5"),
                new BigDecimal("0.49"), null));

        portfolio.reconcile(usd("500"),
                List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("20"), new BigDecimal("0.40")),
                        new PositionSnapshot(NO_TOKEN, BigDecimal.ZERO, new BigDecimal("0.50"))),
                List.of(openBuy, openSell), Map.of(openBuy, new BigDecimal("4")));

        // YES: 20 held (8.00) + 6 to come (3.06) - 5 being sold (at the average 11.06/26)
        Portfolio.Holding h = portfolio.holding(YES_TOKEN);
        assertThat(h.quantity()).isEqualByComparingTo("21");
        assertThat(h.pendingBuy()).isEqualByComparingTo("6");
        assertThat(h.sellable()).isEqualByComparingTo("15");
        // the venue's 500, plus the open sell's 5 * 0.49 counted as sold, as when it was planned
        assertThat(portfolio.cash()).isEqualByComparingTo("502.45");
        assertThat(portfolio.holdings()).containsOnlyKeys(YES_TOKEN);
        assertThat(portfolio.exposure()).isEqualByComparingTo(h.cost());
        // the 15 settled shares left at 0.40 = 6.00, plus the open buy's 3.06
        assertThat(h.cost()).isEqualByComparingTo("9.06");
    }

    @Test
    void shouldHoldNothingOfABuyThatFilledWhollyAfterThePositionsWereRead() {
        // the positions were read before the buy's 10 filled, its fill after: counted filled, not held, not to come
        CopyIntent b = intent(buy("b1", "0.50", "100"), new Sizing.Decision(new BigDecimal("10"),
                new BigDecimal("0.51"), null));
        portfolio.reconcile(usd("994.90"), List.of(), List.of(b), Map.of(b, new BigDecimal("10")));

        assertThat(portfolio.holdings()).isEmpty();
        portfolio.settle(b, new BigDecimal("10"), new BigDecimal("0.51"));
        assertThat(portfolio.holdings()).as("the next refresh brings the venue's 10").isEmpty();
        assertThat(portfolio.cash()).isEqualByComparingTo("994.90");
    }

    @Test
    void shouldCountTheSharesAnOpenBuyHadFilledAtARefreshOnlyOnceWhenItFills() {
        // at the refresh the venue holds the 4 shares the first buy filled so far; both buys are open
        CopyIntent partly = intent(buy("b1", "0.50", "100"), new Sizing.Decision(new BigDecimal("10"),
                new BigDecimal("0.51"), null));
        CopyIntent waiting = intent(buy("b2", "0.50", "100"), new Sizing.Decision(new BigDecimal("10"),
                new BigDecimal("0.51"), null));
        portfolio.reconcile(usd("1000"), List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("4"), new BigDecimal("0.50"))),
                List.of(partly, waiting), Map.of(partly, new BigDecimal("4")));
        assertThat(portfolio.holding(YES_TOKEN).sellable()).isEqualByComparingTo("4");

        portfolio.settle(partly, new BigDecimal("10"), new BigDecimal("0.50"));

        // 10 settled, the second buy's 10 still to come: the 4 the snapshot held are not counted again
        Portfolio.Holding h = portfolio.holding(YES_TOKEN);
        assertThat(h.quantity()).isEqualByComparingTo("20");
        assertThat(h.pendingBuy()).isEqualByComparingTo("10");
        assertThat(h.sellable()).isEqualByComparingTo("10");
        // cost: the 4 at 0.50 (2.00) and the second buy's 10 at its limit (5.10) as at the refresh; the 6 counted at
        // the limit (3.06) filled at 0.50 (3.00): 0.06 back in cash, none of it taken twice
        assertThat(h.pendingCost()).isEqualByComparingTo("5.10");
        assertThat(h.cost()).isEqualByComparingTo("10.10");
        assertThat(portfolio.cash()).isEqualByComparingTo("1000.06");
        assertThat(portfolio.exposure()).isEqualByComparingTo("10.10");
        // a sell of everything takes the 10 the venue holds, not 14
        assertThat(plan(sell("s1", "0.50", "100000")).quantity()).isEqualByComparingTo("10");
    }

    @Test
    void shouldNotReplaceTheBookWithASnapshotTakenWhileItMoved() {
        long seen = portfolio.version();
        // a buy is reserved while the venue's balance is being read: the snapshot does not know it
        CopyIntent b1 = plan(buy("b1", "0.50", "100"));

        boolean replaced = portfolio.reconcileIfUnchanged(seen, usd("1000"), List.of(), List.of(b1), Map.of());

        assertThat(replaced).isFalse();
        assertThat(portfolio.cash()).isEqualByComparingTo("994.90");
        assertThat(portfolio.holding(YES_TOKEN).quantity()).isEqualByComparingTo("10");
        // read again, with the buy among the open orders: the venue sets its cash aside, the book counts it held
        assertThat(portfolio.reconcileIfUnchanged(portfolio.version(), usd("994.90"), List.of(), List.of(b1), Map.of())).isTrue();
        assertThat(portfolio.holding(YES_TOKEN).pendingBuy()).isEqualByComparingTo("10");
    }

    @Test
    void shouldReplaceTheBookWithASnapshotTakenWhileItStoodStill() {
        CopyIntent b1 = plan(buy("b1", "0.50", "100"));
        long seen = portfolio.version();
        // the venue filled the buy at 0.49 and holds 7 more shares bought elsewhere; the buy is still listed open
        boolean replaced = portfolio.reconcileIfUnchanged(seen, usd("900"), List.of(new PositionSnapshot(YES_TOKEN,
                new BigDecimal("17"), new BigDecimal("0.45"))), List.of(b1), Map.of(b1, new BigDecimal("10")));

        assertThat(replaced).isTrue();
        assertThat(portfolio.cash()).isEqualByComparingTo("900");
        assertThat(portfolio.holding(YES_TOKEN).quantity()).isEqualByComparingTo("17");
        assertThat(portfolio.holding(YES_TOKEN).pendingBuy()).as("all of it filled").isEqualByComparingTo("0");
        assertThat(portfolio.version()).isGreaterThan(seen);
    }

    @Test
    void shouldNotReplaceTheBookWhileASellItSizedIsNotInTheStoreYet() {
        hold("1000", "100", "0.40");
        // sized and reserved; its intent is written to the store when a placing thread takes it, a moment later
        CopyIntent s1 = plan(sell("s1", "0.50", "200"));
        assertThat(s1.quantity()).isEqualByComparingTo("20");

        // a snapshot taken meanwhile: the venue still holds 100, and the store has no open order
        boolean replaced = portfolio.reconcileIfUnchanged(portfolio.version(), usd("1000"),
                List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("100"), new BigDecimal("0.40"))), List.of(), Map.of());

        assertThat(replaced).as("the snapshot would give the 20 being sold back").isFalse();
        portfolio.settle(s1, new BigDecimal("20"), new BigDecimal("0.50"));
        assertThat(portfolio.holding(YES_TOKEN).sellable()).isEqualByComparingTo("80");
        // the next sells can take the 80 left, never the 20 sold
        assertThat(plan(sell("s2", "0.50", "2000")).quantity()).isEqualByComparingTo("80");
    }

    @Test
    void shouldNotReplaceTheBookWhileASellThatEndedInTheStoreIsNotSettledHereYet() {
        hold("1000", "100", "0.40");
        CopyIntent s1 = plan(sell("s1", "0.50", "200"));

        // the venue filled 5 and cancelled the rest; the store has the order ended, the book is told a moment later
        boolean replaced = portfolio.reconcileIfUnchanged(portfolio.version(), usd("1002.50"),
                List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("95"), new BigDecimal("0.40"))), List.of(), Map.of());

        // this snapshot holds the sale; the book cannot tell it from one read before it (next test), so it waits
        assertThat(replaced).as("an order ended in the store and not settled here holds the refresh back").isFalse();
        assertThat(portfolio.outstanding()).containsExactly(s1.clientOrderId());
        portfolio.settle(s1, new BigDecimal("5"), new BigDecimal("0.50"));
        assertThat(portfolio.holding(YES_TOKEN).sellable()).isEqualByComparingTo("95");
        assertThat(portfolio.outstanding()).isEmpty();
        assertThat(portfolio.reconcileIfUnchanged(portfolio.version(), usd("1002.50"),
                List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("95"), new BigDecimal("0.40"))), List.of(), Map.of()))
                .isTrue();
        assertThat(portfolio.holding(YES_TOKEN).sellable()).isEqualByComparingTo("95");
    }

    @Test
    void shouldNotReplaceTheBookWithASnapshotThatMayPredateTheFillOfAnOrderEndedInTheStoreAndNotSettledHere() {
        hold("1000", "100", "0.40");
        CopyIntent s1 = plan(sell("s1", "0.50", "200"));
        assertThat(s1.quantity()).isEqualByComparingTo("20");
        // the venue's balance and positions were read before s1 sold; the store, read after them, has s1 FILLED, and
        // the placer settles it here a moment later
        List<PositionSnapshot> beforeTheSale = List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("100"),
                new BigDecimal("0.40")));

        assertThat(portfolio.reconcileIfUnchanged(portfolio.version(), usd("1000"), beforeTheSale, List.of(), Map.of()))
                .isFalse();
        portfolio.settle(s1, new BigDecimal("20"), new BigDecimal("0.50"));
        assertThat(plan(sell("s2", "0.50", "2000")).quantity()).as("what the venue holds").isEqualByComparingTo("80");

        // what the refusal keeps from happening: that snapshot counts the order nowhere (not open in the store, not
        // sold in the positions), and settling an order the book does not count changes nothing, so the 20 sold
        // would be sellable again until the next refresh, and the next sell sized above what the venue holds
        Portfolio replaced = new Portfolio();
        replaced.reconcile(usd("1000"), beforeTheSale, List.of(), Map.of());
        CopyIntent s1Again = intent(sell("s1", "0.50", "200"), replaced.planAndReserve(sell("s1", "0.50", "200"), RULES));
        replaced.reconcile(usd("1000"), beforeTheSale, List.of(), Map.of());
        replaced.settle(s1Again, new BigDecimal("20"), new BigDecimal("0.50"));
        assertThat(replaced.holding(YES_TOKEN).sellable()).isEqualByComparingTo("100");
    }

    @Test
    void shouldNeverSizeASellAboveWhatTheVenueHolds() {
        // the venue holds 4 shares, and the 10 our buy filled since (a book that counts more: the test below)
        hold("1000", "4", "0.40");
        CopyIntent b = plan(buy("b1", "0.50", "100"));
        portfolio.settle(b, new BigDecimal("10"), new BigDecimal("0.50"));
        // 4 held at the venue + the 10 our buy filled since: a sell of 20 is capped at 14
        CopyIntent s1 = plan(sell("s1", "0.50", "200"));
        assertThat(s1.quantity()).isEqualByComparingTo("14");
        // nothing left to sell until a sell's unfilled part comes back
        assertThat(portfolio.planAndReserve(sell("s2", "0.50", "200"), RULES).isSkip()).isTrue();
        portfolio.settle(s1, new BigDecimal("9"), new BigDecimal("0.50"));
        assertThat(plan(sell("s3", "0.50", "200")).quantity()).isEqualByComparingTo("5");
    }

    @Test
    void shouldCapSellsAtWhatTheVenueHoldsWhenTheBookCountsMore() {
        // our sell of 30 is open when the venue's positions show 10 (20 went elsewhere); the venue then cancels the
        // sell unfilled, and the book takes its 30 back: the book counts 30 settled, the venue holds 10
        CopyIntent open = openSell("s0", "30", "0.49");
        portfolio.reconcile(usd("1000"), List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("10"),
                new BigDecimal("0.40"))), List.of(open), Map.of());
        portfolio.release(open);
        assertThat(portfolio.holding(YES_TOKEN).sellable()).isEqualByComparingTo("30");

        assertThat(plan(sell("s1", "0.50", "40")).quantity()).isEqualByComparingTo("4");
        // 6 of the venue's 10 are left after that one, however many the book counts
        assertThat(plan(sell("s2", "0.50", "200")).quantity()).isEqualByComparingTo("6");
    }

    @Test
    void shouldEndWithTheVenuesCashWhenASellOpenAtARefreshFills() {
        // the refresh finds our sell of 10 at 0.49 open with 4 sold at 0.50: the venue holds 16 and 102.00 USD
        CopyIntent s = openSell("s0", "10", "0.49");
        portfolio.reconcile(usd("102.00"), List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("16"),
                new BigDecimal("0.40"))), List.of(s), Map.of(s, new BigDecimal("4")));

        // the other 6 sell at 0.50 too: 3.00 USD more at the venue
        portfolio.settle(s, new BigDecimal("10"), new BigDecimal("0.50"));

        assertThat(portfolio.cash()).isEqualByComparingTo("105.00");
        assertThat(portfolio.holding(YES_TOKEN).quantity()).isEqualByComparingTo("10");
        assertThat(portfolio.exposure()).isEqualByComparingTo("4.00");
    }

    @Test
    void shouldKeepTheVenuesCashWhenASellOpenAtARefreshIsCanceled() {
        CopyIntent s = openSell("s0", "10", "0.49");
        portfolio.reconcile(usd("100"), List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("20"),
                new BigDecimal("0.40"))), List.of(s), Map.of());

        portfolio.release(s);

        assertThat(portfolio.cash()).isEqualByComparingTo("100");
        assertThat(portfolio.holding(YES_TOKEN).sellable()).isEqualByComparingTo("20");
        assertThat(portfolio.exposure()).isEqualByComparingTo("8.00");
    }

    @Test
    void shouldNotReplaceTheBookWithASnapshotTakenWhileAnOrderWasReservedAndSettled() {
        long seen = portfolio.version();
        // a buy is reserved and fills while the venue's balance is read: the snapshot may lack both
        CopyIntent b1 = plan(buy("b1", "0.50", "100"));
        portfolio.settle(b1, new BigDecimal("10"), new BigDecimal("0.50"));

        boolean replaced = portfolio.reconcileIfUnchanged(seen, usd("1000"), List.of(), List.of(), Map.of());

        assertThat(replaced).isFalse();
        assertThat(portfolio.cash()).isEqualByComparingTo("995.00");
        assertThat(portfolio.holding(YES_TOKEN).sellable()).isEqualByComparingTo("10");
    }

    @Test
    void shouldHoldEveryShareABuyReceivedBeyondItsQuantity() {
        // 10 at limit 0.51 (5.10 USD); the venue's price improvement gave 10.2 shares at 0.50 for the same 5.10
        CopyIntent b = plan(buy("b1", "0.50", "100"));

        portfolio.settle(b, new BigDecimal("10.2"), new BigDecimal("0.50"));

        Portfolio.Holding h = portfolio.holding(YES_TOKEN);
        assertThat(h.sellable()).isEqualByComparingTo("10.2");
        assertThat(h.cost()).isEqualByComparingTo("5.10");
        assertThat(portfolio.cash()).isEqualByComparingTo("994.90");
    }

    @Test
    void shouldRefuseASellReportedFilledBeyondWhatItOrderedAndKeepTheBook() {
        hold("100", "20", "0.40");
        CopyIntent s = plan(sell("s1", "0.50", "100"));

        assertThatThrownBy(() -> portfolio.settle(s, new BigDecimal("11"), new BigDecimal("0.50")))
                .isInstanceOf(IllegalStateException.class);

        assertThat(portfolio.cash()).isEqualByComparingTo("104.90");
        assertThat(portfolio.holding(YES_TOKEN).quantity()).isEqualByComparingTo("10");
        assertThat(portfolio.outstanding()).containsExactly(s.clientOrderId());
    }

    @Test
    void shouldNotHoldRoomInABuysCapForASellTheVenueNoLongerListsOpen() {
        // 20 held at 0.40 = 8.00 USD; a sell of 10 takes 4.00 off; the venue's view then has it sold: 10 left
        hold("100", "20", "0.40");
        plan(sell("s1", "0.50", "100"));
        hold("104.90", "10", "0.40");

        // 4.00 of the 10 USD cap is held: a buy of 10 at 0.51 (5.10) fits whole
        assertThat(plan(buy("b1", "0.50", "100")).quantity()).isEqualByComparingTo("10");
    }

    @Test
    @Timeout(10)
    void shouldNeverExceedTheMaxPositionWhenEightThreadsBuyTheSameInstrument() throws Exception {
        int threads = 8;
        int buysEach = 25;
        List<BigDecimal> placed = Collections.synchronizedList(new ArrayList<>());

        Race.run(threads, 5, thread -> {
            for (int i = 0; i < buysEach; i++) {
                Sizing.Decision d = portfolio.planAndReserve(buy("b" + thread + "-" + i, "0.50", "30"), RULES);
                if (!d.isSkip()) {
                    placed.add(d.notional());
                }
            }
        });

        // each copy is 3 shares at 0.51 = 1.53 USD: six fit in 10 USD (9.18), then 0.82 of room is below 1 USD
        BigDecimal total = placed.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(total).isLessThanOrEqualTo(usd("10"));
        assertThat(total).isEqualByComparingTo("9.18");
        assertThat(portfolio.holding(YES_TOKEN).cost()).isEqualByComparingTo(total);
        assertThat(portfolio.exposure()).isEqualByComparingTo(total);
        assertThat(portfolio.cash().add(portfolio.exposure())).isEqualByComparingTo("1000");
    }

    // ---- each order counted once, taken off once

    @Test
    void shouldTakeAnOrderOffOnceHoweverOftenItsEndIsReported() {
        CopyIntent b = plan(buy("b1", "0.50", "100"));
        portfolio.release(b);
        // before: the second release took 5.10 USD off a book that no longer held it
        portfolio.release(b);
        portfolio.settle(b, new BigDecimal("10"), new BigDecimal("0.50"));

        assertThat(portfolio.cash()).isEqualByComparingTo("1000");
        assertThat(portfolio.exposure()).isZero();
        assertThat(portfolio.holdings()).isEmpty();
        assertThat(portfolio.outstanding()).isEmpty();
    }

    @Test
    void shouldCountATradeSizedAgainWhileItsOrderIsOutOnceAndSettleItOnce() {
        DetectedTrade trade = buy("b1", "0.50", "100");
        CopyIntent first = plan(trade);
        // the same trade sized again (a replay, a trade read twice): its order, the same client order id, is out
        CopyIntent again = plan(trade);
        assertThat(again.clientOrderId()).isEqualTo(first.clientOrderId());
        // before: the second reservation went into the cash too (990.00) and replaced the first in the book's record
        assertThat(portfolio.cash()).as("one order, reserved once").isEqualByComparingTo("994.90");

        portfolio.settle(first, new BigDecimal("10"), new BigDecimal("0.50"));

        assertThat(portfolio.cash()).isEqualByComparingTo("995.00");
        assertThat(portfolio.holding(YES_TOKEN).sellable()).isEqualByComparingTo("10");
        assertThat(portfolio.exposure()).isEqualByComparingTo("5.00");
    }

    @Test
    void shouldTakeOffAPlacingsReservationWhenItFollowsAnOrderTheBookDoesNotCountAndKeepTheOrdersOtherwise() {
        // the book holds nothing of the order but this placing's reservation: given back, and ending the order then
        // takes nothing off
        CopyIntent alone = plan(buy("b1", "0.50", "100"));
        portfolio.withdraw(alone);
        assertThat(portfolio.cash()).isEqualByComparingTo("1000");
        portfolio.settle(alone, new BigDecimal("10"), new BigDecimal("0.50"));
        assertThat(portfolio.cash()).as("not counted: the next refresh brings it").isEqualByComparingTo("1000");
        assertThat(portfolio.outstanding()).isEmpty();

        // a refresh found the order open: the book counts it itself, and a placing that follows it leaves it to its end
        CopyIntent open = openSell("s1", "10", "0.49");
        portfolio.reconcile(usd("1000"), List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("20"),
                new BigDecimal("0.40"))), List.of(open), Map.of());
        CopyIntent following = intent(sell("s1", "0.50", "1000"), portfolio.planAndReserve(sell("s1", "0.50", "1000"), RULES));
        portfolio.withdraw(following);
        assertThat(portfolio.holding(YES_TOKEN).quantity()).as("the order's 10 still off").isEqualByComparingTo("10");
        assertThat(portfolio.cash()).isEqualByComparingTo("1004.90");
        portfolio.settle(open, new BigDecimal("10"), new BigDecimal("0.50"));
        assertThat(portfolio.cash()).isEqualByComparingTo("1005.00");
        assertThat(portfolio.holding(YES_TOKEN).quantity()).isEqualByComparingTo("10");
        assertThat(portfolio.exposure()).isEqualByComparingTo("4.00");
    }

    /**
     * A refresh replaces the book: a buy reserved before it and no longer open at the venue (filled, in the venue's
     * cash and positions already) is not the book's any more, so reporting its end afterwards takes nothing off.
     */
    @Test
    void shouldTakeNothingOffForABuyTheRefreshFoundEndedWhenItsEndIsReportedAfter() {
        CopyIntent b = plan(buy("b1", "0.50", "100"));
        portfolio.reconcile(usd("994.90"), List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("10"),
                new BigDecimal("0.51"))), List.of(), Map.of());

        portfolio.settle(b, new BigDecimal("10"), new BigDecimal("0.49"));
        assertThat(portfolio.cash()).as("the venue's cash, not corrected again").isEqualByComparingTo("994.90");
        assertThat(portfolio.holding(YES_TOKEN).quantity()).isEqualByComparingTo("10");
        assertThat(portfolio.holding(YES_TOKEN).cost()).isEqualByComparingTo("5.10");
        assertThat(portfolio.holding(YES_TOKEN).pendingBuy()).isEqualByComparingTo("0");
    }

    /** Withdrawing a placing moves the book: a snapshot read before it is refused, as after any reservation. */
    @Test
    void shouldNotReplaceTheBookWithASnapshotTakenBeforeAPlacingWasWithdrawn() {
        CopyIntent open = openSell("s1", "10", "0.49");
        portfolio.reconcile(usd("1000"), List.of(new PositionSnapshot(YES_TOKEN, new BigDecimal("20"),
                new BigDecimal("0.40"))), List.of(open), Map.of());
        CopyIntent following = intent(sell("s1", "0.50", "1000"), portfolio.planAndReserve(sell("s1", "0.50", "1000"), RULES));
        long seen = portfolio.version();
        CopyIntent other = plan(buy("b2", "0.50", "100"));
        portfolio.withdraw(following);

        assertThat(portfolio.reconcileIfUnchanged(seen, usd("1000"), List.of(), List.of(open, other), Map.of()))
                .as("the book moved since the snapshot's version was read").isFalse();
    }

    @Test
    void shouldGiveBackTheSharesASellTookOffWhateverQuantityItsEndNames() {
        hold("100", "20", "0.40");
        CopyIntent s = plan(sell("s1", "0.50", "100"));
        assertThat(s.quantity()).isEqualByComparingTo("10");
        // released with an intent sized differently (a placing of the same order that followed it): the 10 the book
        // took off come back, no more
        portfolio.release(new CopyIntent(s.clientOrderId(), s.source(), s.instrument(), s.side(), s.limitPrice(),
                new BigDecimal("12"), usd("5.88")));
        assertThat(portfolio.holding(YES_TOKEN).quantity()).isEqualByComparingTo("20");
        assertThat(portfolio.holding(YES_TOKEN).cost()).isEqualByComparingTo("8.00");
        assertThat(portfolio.cash()).isEqualByComparingTo("100");
    }
}

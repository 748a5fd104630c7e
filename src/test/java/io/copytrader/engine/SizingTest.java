package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static io.copytrader.engine.Trades.buy;
import static io.copytrader.engine.Trades.sell;
import static io.copytrader.engine.Trades.usd;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sizing and risk as a pure function. Unless a test says otherwise: COPY_RATIO 0.1, MAX_POSITION_SIZE_USD 10,
 * MAX_PORTFOLIO_EXPOSURE 0.8, slippage cap 2%, smallest order 1 USD, quantities at 2 decimals.
 */
class SizingTest {
    static final SizingRules RULES = rules("0.1", "10", "0.8", "0.02", "1");
    /** The same with caps too large to matter, for tests of ratio and limit prices. */
    static final SizingRules UNCAPPED = rules("0.1", "1000000", "1", "0.02", "1");
    static final BigDecimal PLENTY_OF_CASH = usd("100000");

    static SizingRules rules(String ratio, String maxPosition, String maxExposure, String slippage, String minOrder) {
        return new SizingRules(new BigDecimal(ratio), new BigDecimal(maxPosition), new BigDecimal(maxExposure),
                new BigDecimal(slippage), new BigDecimal(minOrder), 2);
    }

    static Sizing.Decision buyWithEmptyBook(DetectedTrade trade, SizingRules rules) {
        return Sizing.decide(trade, rules, BigDecimal.ZERO, BigDecimal.ZERO, PLENTY_OF_CASH, BigDecimal.ZERO);
    }

    static Sizing.Decision sellHolding(DetectedTrade trade, SizingRules rules, String held) {
        return Sizing.decide(trade, rules, new BigDecimal(held), BigDecimal.ZERO, PLENTY_OF_CASH, BigDecimal.ZERO);
    }

    @Nested
    class CopyRatio {
        @Test
        void shouldCopyTheRatioOfTheTargetQuantityRoundedDownAtTheQuantityScale() {
            // 123.456 * 0.1 = 12.3456 -> 12.34 (down, never more than allowed)
            // limit 0.30 * 1.02 = 0.306 -> 0.3060; notional 12.34 * 0.306 = 3.77604
            Sizing.Decision d = buyWithEmptyBook(buy("t1", "0.30", "123.456"), UNCAPPED);

            assertThat(d.isSkip()).isFalse();
            assertThat(d.quantity()).isEqualByComparingTo("12.34");
            assertThat(d.limitPrice()).isEqualByComparingTo("0.3060");
            assertThat(d.notional()).isEqualTo(new BigDecimal("3.776040"));
        }

        @Test
        void shouldRoundDownEvenWhenTheNextDigitIsNine() {
            // 99.999 * 0.1 = 9.9999 -> 9.99, not 10.00
            Sizing.Decision d = buyWithEmptyBook(buy("t1", "0.50", "99.999"), UNCAPPED);

            assertThat(d.quantity()).isEqualByComparingTo("9.99");
        }

        @Test
        void shouldSkipAsTooSmallWhenTheRatioLeavesLessThanOneUnitOfScale() {
            // 0.05 * 0.1 = 0.005 -> 0.00: nothing to place
            Sizing.Decision d = buyWithEmptyBook(buy("t1", "0.50", "0.05"), UNCAPPED);

            assertThat(d.skipReason()).isEqualTo(Reason.SIZING_TOO_SMALL);
        }
    }

    @Nested
    class BuyLimit {
        @Test
        void shouldRoundTheBuyLimitDownAtFourDecimals() {
            // 0.3333 * 1.02 = 0.339966 -> 0.3399 (down: never pay more than the cap)
            Sizing.Decision d = buyWithEmptyBook(buy("t1", "0.3333", "100"), UNCAPPED);

            assertThat(d.limitPrice()).isEqualByComparingTo("0.3399");
        }

        @Test
        void shouldNeverSetTheBuyLimitBelowTheTargetPrice() {
            // 0.12345 * 1.0001 = 0.123462345 -> 0.1234 at 4 dp, which is below the target's 0.12345: keep 0.12345
            SizingRules tinySlippage = rules("0.1", "1000000", "1", "0.0001", "1");
            Sizing.Decision d = buyWithEmptyBook(buy("t1", "0.12345", "1000"), tinySlippage);

            assertThat(d.limitPrice()).isEqualByComparingTo("0.12345");
        }

        @Test
        void shouldPayExactlyTheTargetPriceWithoutSlippage() {
            SizingRules noSlippage = rules("0.1", "1000000", "1", "0", "1");
            Sizing.Decision d = buyWithEmptyBook(buy("t1", "0.42", "100"), noSlippage);

            assertThat(d.limitPrice()).isEqualByComparingTo("0.42");
        }

        @Test
        void shouldCapTheBuyLimitBelowOneForOutcomeTokens() {
            // 0.99 * 1.02 = 1.0098: an outcome token never costs 1 or more, so 0.999
            Sizing.Decision d = buyWithEmptyBook(buy("t1", "0.99", "100"), UNCAPPED);

            assertThat(d.limitPrice()).isEqualByComparingTo("0.999");
        }

        @Test
        void shouldCapTheBuyLimitWhenSlippageWouldJustReachOne() {
            // 0.985 * 1.02 = 1.0047 -> 0.999
            Sizing.Decision d = buyWithEmptyBook(buy("t1", "0.985", "100"), UNCAPPED);

            assertThat(d.limitPrice()).isEqualByComparingTo("0.999");
        }
    }

    @Nested
    class SellLimit {
        @Test
        void shouldRoundTheSellLimitUpAtFourDecimals() {
            // 0.3333 * 0.98 = 0.326634 -> 0.3267 (up: never take less than the cap)
            Sizing.Decision d = sellHolding(sell("t1", "0.3333", "100"), UNCAPPED, "50");

            assertThat(d.limitPrice()).isEqualByComparingTo("0.3267");
        }

        @Test
        void shouldNeverSetTheSellLimitAboveTheTargetPrice() {
            // 0.12345 * 1 = 0.12345 -> 0.1235 rounded up, above the target's 0.12345: keep 0.12345
            SizingRules noSlippage = rules("0.1", "1000000", "1", "0", "1");
            Sizing.Decision d = sellHolding(sell("t1", "0.12345", "1000"), noSlippage, "1000");

            assertThat(d.limitPrice()).isEqualByComparingTo("0.12345");
        }
    }

    @Nested
    class MaxPosition {
        @Test
        void shouldShrinkABuyToFitTheRoomLeftInThePosition() {
            // wanted 1000 * 0.1 = 100 at 0.51 = 51 USD; the position cost 8 of 10: room 2
            // 2 / 0.51 = 3.9215... -> 3.92 shares, 3.92 * 0.51 = 1.9992 USD
            Sizing.Decision d = Sizing.decide(buy("t1", "0.50", "1000"), RULES, BigDecimal.ZERO, usd("8"),
                    PLENTY_OF_CASH, usd("8"));

            assertThat(d.isSkip()).isFalse();
            assertThat(d.quantity()).isEqualByComparingTo("3.92");
            assertThat(d.notional()).isEqualByComparingTo("1.9992");
            assertThat(usd("8").add(d.notional())).isLessThanOrEqualTo(usd("10"));
        }

        @Test
        void shouldSkipWithMaxPositionWhenTheRoomLeftIsBelowTheSmallestOrder() {
            // room 10 - 9.5 = 0.5: 0.98 shares at 0.51 = 0.4998 USD, below the 1 USD minimum
            Sizing.Decision d = Sizing.decide(buy("t1", "0.50", "1000"), RULES, BigDecimal.ZERO, usd("9.5"),
                    PLENTY_OF_CASH, usd("9.5"));

            assertThat(d.skipReason()).isEqualTo(Reason.RISK_MAX_POSITION);
        }

        @Test
        void shouldSkipWithMaxPositionWhenThePositionIsFull() {
            Sizing.Decision d = Sizing.decide(buy("t1", "0.50", "1000"), RULES, BigDecimal.ZERO, usd("10"),
                    PLENTY_OF_CASH, usd("10"));

            assertThat(d.skipReason()).isEqualTo(Reason.RISK_MAX_POSITION);
            assertThat(d.quantity()).isNull();
        }

        @Test
        void shouldPlaceTheWholeCopyWhenItFitsThePosition() {
            // 10 shares at 0.51 = 5.10 USD, room 10
            Sizing.Decision d = Sizing.decide(buy("t1", "0.50", "100"), RULES, BigDecimal.ZERO, BigDecimal.ZERO,
                    PLENTY_OF_CASH, BigDecimal.ZERO);

            assertThat(d.quantity()).isEqualByComparingTo("10");
            assertThat(d.notional()).isEqualByComparingTo("5.10");
        }
    }

    @Nested
    class MaxExposure {
        static final SizingRules BIG_POSITIONS = rules("0.1", "1000", "0.8", "0.02", "1");

        @Test
        void shouldShrinkABuyToKeepExposureWithinTheShareOfCashPlusExposure() {
            // portfolio value = cash 30 + exposure 70 = 100; 0.8 of it = 80; room 80 - 70 = 10
            // wanted 100 shares at 0.51; 10 / 0.51 = 19.607... -> 19.60 shares = 9.996 USD
            Sizing.Decision d = Sizing.decide(buy("t1", "0.50", "1000"), BIG_POSITIONS, BigDecimal.ZERO,
                    BigDecimal.ZERO, usd("30"), usd("70"));

            assertThat(d.quantity()).isEqualByComparingTo("19.60");
            assertThat(d.notional()).isEqualByComparingTo("9.996");
        }

        @Test
        void shouldSkipWithMaxExposureWhenTheBookIsAtTheCap() {
            // value 20 + 80 = 100; cap 80; exposure already 80
            Sizing.Decision d = Sizing.decide(buy("t1", "0.50", "1000"), BIG_POSITIONS, BigDecimal.ZERO,
                    BigDecimal.ZERO, usd("20"), usd("80"));

            assertThat(d.skipReason()).isEqualTo(Reason.RISK_MAX_EXPOSURE);
        }

        @Test
        void shouldSkipWithMaxExposureWhenTheRoomIsBelowTheSmallestOrder() {
            // value 25.5 + 74.5 = 100; cap 80; room 5.5 -> 10.78 shares = 5.4978 USD with min order 6
            SizingRules minSix = rules("0.1", "1000", "0.8", "0.02", "6");
            Sizing.Decision d = Sizing.decide(buy("t1", "0.50", "1000"), minSix, BigDecimal.ZERO,
                    BigDecimal.ZERO, usd("25.5"), usd("74.5"));

            assertThat(d.skipReason()).isEqualTo(Reason.RISK_MAX_EXPOSURE);
        }

        @Test
        void shouldApplyTheTighterOfPositionAndExposureCaps() {
            // position room 10 - 4 = 6 -> 11.76 shares; exposure room (50 + 50) * 0.8 - 50 = 30 -> 58.82 shares
            // the position cap is tighter: 11.76 shares at 0.51 = 5.9976 USD
            Sizing.Decision d = Sizing.decide(buy("t1", "0.50", "1000"), RULES, BigDecimal.ZERO, usd("4"),
                    usd("50"), usd("50"));

            assertThat(d.quantity()).isEqualByComparingTo("11.76");
            assertThat(d.notional()).isEqualByComparingTo("5.9976");
        }
    }

    @Nested
    class Sells {
        @Test
        void shouldCapASellToWhatIsHeld() {
            // wanted 1000 * 0.1 = 100, held 12.345 -> 12.34 at the quantity scale
            // limit 0.50 * 0.98 = 0.49; 12.34 * 0.49 = 6.0466 USD
            Sizing.Decision d = sellHolding(sell("t1", "0.50", "1000"), RULES, "12.345");

            assertThat(d.quantity()).isEqualByComparingTo("12.34");
            assertThat(d.limitPrice()).isEqualByComparingTo("0.49");
            assertThat(d.notional()).isEqualByComparingTo("6.0466");
        }

        @Test
        void shouldSellTheCopiedQuantityWhenEnoughIsHeld() {
            Sizing.Decision d = sellHolding(sell("t1", "0.50", "100"), RULES, "50");

            assertThat(d.quantity()).isEqualByComparingTo("10");
        }

        @Test
        void shouldSkipASellOfNothingHeld() {
            Sizing.Decision d = sellHolding(sell("t1", "0.50", "100"), RULES, "0");

            assertThat(d.skipReason()).isEqualTo(Reason.RISK_NOTHING_TO_SELL);
        }

        @Test
        void shouldSkipASellOfLessThanOneUnitOfScaleAsNothingToSell() {
            // 0.004 held -> 0.00 at 2 decimals
            Sizing.Decision d = sellHolding(sell("t1", "0.50", "100"), RULES, "0.004");

            assertThat(d.skipReason()).isEqualTo(Reason.RISK_NOTHING_TO_SELL);
        }

        @Test
        void shouldSkipASellWorthLessThanTheSmallestOrder() {
            // held 1 at 0.49 = 0.49 USD < 1
            Sizing.Decision d = sellHolding(sell("t1", "0.50", "100"), RULES, "1");

            assertThat(d.skipReason()).isEqualTo(Reason.SIZING_TOO_SMALL);
        }

        @Test
        void shouldSellWhateverTheExposureCapsSay() {
            // caps limit buys only: a full book still sells
            Sizing.Decision d = Sizing.decide(sell("t1", "0.50", "100"), RULES, new BigDecimal("50"), usd("25"),
                    BigDecimal.ZERO, usd("25"));

            assertThat(d.quantity()).isEqualByComparingTo("10");
        }
    }

    @Nested
    class TooSmall {
        @Test
        void shouldSkipABuyWorthLessThanTheSmallestOrderAsTooSmallBeforeAnyRiskCheck() {
            // 10 * 0.1 = 1 share at 0.51 = 0.51 USD < 1, even with a full position: sizing decides first
            Sizing.Decision d = Sizing.decide(buy("t1", "0.50", "10"), RULES, BigDecimal.ZERO, usd("10"),
                    usd("0"), usd("10"));

            assertThat(d.skipReason()).isEqualTo(Reason.SIZING_TOO_SMALL);
        }

        @Test
        void shouldNotPlaceAnOrderOfNoSharesWhenEveryOrderSizeIsAllowed() {
            // MIN_ORDER_SIZE_USD 0: 0.05 * 0.1 = 0.005 -> 0.00 shares is still nothing to place, not a zero order
            SizingRules noMinimum = rules("0.1", "1000000", "1", "0.02", "0");

            assertThat(buyWithEmptyBook(buy("t1", "0.50", "0.05"), noMinimum).skipReason())
                    .isEqualTo(Reason.SIZING_TOO_SMALL);
            assertThat(sellHolding(sell("t1", "0.50", "0.05"), noMinimum, "50").skipReason())
                    .isEqualTo(Reason.SIZING_TOO_SMALL);
        }

        @Test
        void shouldPlaceAnOrderWorthExactlyTheSmallestOrder() {
            // 20 * 0.1 = 2 shares at 0.50 (no slippage) = 1.00 USD, not below 1
            SizingRules noSlippage = rules("0.1", "10", "0.8", "0", "1");
            Sizing.Decision d = buyWithEmptyBook(buy("t1", "0.50", "20"), noSlippage);

            assertThat(d.isSkip()).isFalse();
            assertThat(d.notional()).isEqualByComparingTo("1.00");
        }
    }

    // ---- proportional sells

    static Sizing.Decision sellShare(DetectedTrade trade, SizingRules rules, String targetBefore, String held) {
        return Sizing.decide(trade, rules, new BigDecimal(targetBefore), new BigDecimal(held), BigDecimal.ZERO,
                PLENTY_OF_CASH, BigDecimal.ZERO);
    }

    @Test
    void shouldSellTheShareOfOurHoldingThatTheTargetSoldOfItsPosition() {
        DetectedTrade sold40Percent = Trades.sell("s1", "0.50", "40");
        Sizing.Decision d = sellShare(sold40Percent, UNCAPPED, "100", "33");

        assertThat(d.isSkip()).isFalse();
        assertThat(d.quantity()).isEqualByComparingTo("13.20");
    }

    @Test
    void shouldSellEverythingWhenTheTargetSellsAllItHeldOrMore() {
        assertThat(sellShare(Trades.sell("s1", "0.50", "100"), UNCAPPED, "100", "33.337").quantity())
                .isEqualByComparingTo("33.33");
        assertThat(sellShare(Trades.sell("s1", "0.50", "150"), UNCAPPED, "100", "33").quantity())
                .isEqualByComparingTo("33");
    }

    @Test
    void shouldSellAllOrNothingWhenTheShareIsBelowTheSmallestOrder() {
        DetectedTrade sold10Percent = Trades.sell("s1", "0.50", "10");
        // 10% of 4 shares at ~0.49 is ~$0.20, below the $1 minimum; the whole 4 shares (~$1.96) is not
        assertThat(sellShare(sold10Percent, UNCAPPED, "100", "4").quantity()).isEqualByComparingTo("4");
        SizingRules nothing = UNCAPPED.withSells(new io.copytrader.config.SellSettings(
                io.copytrader.config.SellSettings.Sizing.PROPORTIONAL, false));
        assertThat(sellShare(sold10Percent, nothing, "100", "4").skipReason()).isEqualTo(Reason.SIZING_TOO_SMALL);
        // a whole holding below the minimum is not sold either way
        assertThat(sellShare(sold10Percent, UNCAPPED, "100", "1").skipReason()).isEqualTo(Reason.SIZING_TOO_SMALL);
    }

    @Test
    void shouldSkipAShareOfNothingHeldAsNothingToSell() {
        // the target sells 40 % of its position; of our 0.004 (0.00 at the quantity scale) there is nothing to sell
        assertThat(sellShare(Trades.sell("s1", "0.50", "40"), UNCAPPED, "100", "0.004").skipReason())
                .isEqualTo(Reason.RISK_NOTHING_TO_SELL);
    }

    @Test
    void shouldSizeByRatioWhenTheTargetWasNotSeenHoldingAnything() {
        // the target sells 40 of a position we never saw it build: there is no share to take, so not all our 33
        DetectedTrade sell = Trades.sell("s1", "0.50", "40");

        assertThat(sellShare(sell, UNCAPPED, "0", "33").quantity()).isEqualByComparingTo("4.00");
    }

    @Test
    void shouldSizeByRatioWhenTheTargetsPositionIsUnknownOrRatioIsChosen() {
        DetectedTrade sell = Trades.sell("s1", "0.50", "40");
        assertThat(Sizing.decide(sell, UNCAPPED, null, new BigDecimal("33"), BigDecimal.ZERO, PLENTY_OF_CASH,
                BigDecimal.ZERO).quantity()).isEqualByComparingTo("4.00");
        SizingRules ratio = UNCAPPED.withSells(new io.copytrader.config.SellSettings(
                io.copytrader.config.SellSettings.Sizing.RATIO, true));
        assertThat(sellShare(sell, ratio, "100", "33").quantity()).isEqualByComparingTo("4.00");
    }
}

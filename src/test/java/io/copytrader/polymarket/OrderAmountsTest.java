package io.copytrader.polymarket;

import io.copytrader.domain.Side;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signed amounts by hand, each side and kind (KnownAnswerTest checks them against the official clients' vectors). */
class OrderAmountsTest {
    static final BigDecimal CENT = new BigDecimal("0.01");

    @Test
    void shouldGiveUsdcAndTakeSharesOnABuyAndTheOtherWayOnASell() {
        OrderAmounts buy = OrderAmounts.limit(Side.BUY, new BigDecimal("0.53"), new BigDecimal("10"), CENT);
        assertThat(buy.makerAmount()).isEqualTo(5_300_000);
        assertThat(buy.takerAmount()).isEqualTo(10_000_000);
        assertThat(buy.shares(Side.BUY)).isEqualByComparingTo("10");

        OrderAmounts sell = OrderAmounts.limit(Side.SELL, new BigDecimal("0.53"), new BigDecimal("12.345"), CENT);
        assertThat(sell.makerAmount()).as("shares, to 2 decimals, down").isEqualTo(12_340_000);
        assertThat(sell.takerAmount()).isEqualTo(6_540_200);
        assertThat(sell.shares(Side.SELL)).isEqualByComparingTo("12.34");
        assertThat(OrderAmounts.marketable(Side.SELL, new BigDecimal("0.53"), new BigDecimal("12.345"), CENT))
                .as("a marketable sell is rounded as a limit sell").isEqualTo(sell);
    }

    @Test
    void shouldSpendWholeCentsOnAMarketableBuyAndTakeWhatTheyBuy() {
        // 5 shares at 0.537: 2.685 spent, down to 2.68, which buys 4.99068 shares (a hair under the 5 asked)
        OrderAmounts buy = OrderAmounts.marketable(Side.BUY, new BigDecimal("0.537"), new BigDecimal("5"),
                new BigDecimal("0.001"));
        assertThat(buy.makerAmount()).isEqualTo(2_680_000);
        assertThat(buy.takerAmount()).isEqualTo(4_990_680);
        assertThat(buy.price()).isEqualByComparingTo("0.537");
    }

    @Test
    void shouldRoundAnAmountUpAHairBeforeCuttingItToItsDecimals() {
        assertThat(OrderAmounts.fitAmount(new BigDecimal("1.2345"), 4)).isEqualByComparingTo("1.2345");
        assertThat(OrderAmounts.fitAmount(new BigDecimal("1.23456789"), 4)).isEqualByComparingTo("1.2345");
        // a quotient a hair under a round figure is the round figure, as the official clients compute it
        assertThat(OrderAmounts.fitAmount(new BigDecimal("1.234499999999"), 4)).isEqualByComparingTo("1.2345");
        assertThat(OrderAmounts.fitAmount(new BigDecimal("1.23449"), 4)).isEqualByComparingTo("1.2344");
    }

    @Test
    void shouldRefuseATickSizeItHasNoRoundingFor() {
        assertThatThrownBy(() -> OrderAmounts.limit(Side.BUY, new BigDecimal("0.5"), BigDecimal.TEN, new BigDecimal("0.02")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported tick size 0.02");
    }
}

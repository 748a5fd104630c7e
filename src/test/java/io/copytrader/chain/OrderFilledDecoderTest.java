package io.copytrader.chain;

import io.copytrader.domain.Side;
import io.copytrader.domain.TraderId;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OrderFilledDecoderTest {
    static final String EXCHANGE = OrderFilledDecoder.POLYGON_EXCHANGES.get(0);
    static final String TARGET = "0x1111111111111111111111111111111111111111";
    static final String OTHER = "0x3333333333333333333333333333333333333333";
    static final String TX = "0x" + "ab".repeat(32);
    static final String ORDER = "0x" + "0f".repeat(32);
    static final BigInteger TOKEN = new BigInteger("71321045679252212594626385532706912750332728571942532289631379312455583992563");
    static final Instant BLOCK_TIME = Instant.parse("2026-12-02T10:00:00Z");
    static final Instant NOW = BLOCK_TIME.plusMillis(800);

    private final OrderFilledDecoder decoder = new OrderFilledDecoder(List.of(new TraderId(TARGET)), OrderFilledDecoder.POLYGON_EXCHANGES);

    @Test
    void topicsAreTheKeccakOfTheExchangesEventSignatures() {
        assertThat(Hash.sha3String("OrderFilled(bytes32,address,address,uint8,uint256,uint256,uint256,uint256,bytes32,bytes32)"))
                .isEqualTo(OrderFilledDecoder.ORDER_FILLED);
        assertThat(Hash.sha3String("OrdersMatched(bytes32,address,uint8,uint256,uint256,uint256)"))
                .isEqualTo(OrderFilledDecoder.ORDERS_MATCHED);
    }

    @Test
    void shouldDecodeABuyWithSharesFromTheTakerAmountAndExactDecimals() {
        // the target buys 21.04 shares for 11.7824 pUSD (price 0.56), a resting order filled by OTHER
        ChainFill fill = decoder.decode(orderFilled(TARGET, OTHER, 0, 11_782_400, 21_040_000, 0), BLOCK_TIME, NOW).orElseThrow();

        assertThat(fill.trade().side()).isEqualTo(Side.BUY);
        assertThat(fill.trade().instrument().value()).isEqualTo(TOKEN.toString());
        assertThat(fill.trade().quantity()).isEqualByComparingTo("21.04");
        assertThat(fill.trade().price()).isEqualByComparingTo("0.56");
        assertThat(fill.trade().notional()).isEqualTo(new BigDecimal("11.782400"));
        assertThat(fill.trade().trader().value()).isEqualTo(TARGET);
        assertThat(fill.trade().tsEvent()).isEqualTo(BLOCK_TIME);
        assertThat(fill.trade().tsInit()).isEqualTo(NOW);
        assertThat(fill.aggressor()).isFalse();
        assertThat(fill.orderHash()).isEqualTo(ORDER);
        assertThat(fill.identity()).isEqualTo(TX + ":" + ORDER);
        // the same id the Data API row of this fill gets: tx, token, side, size and price
        assertThat(fill.trade().sourceTradeId().value()).isEqualTo(TX + ":" + TOKEN + ":BUY:21.04@0.56");
    }

    @Test
    void shouldDecodeASellWithSharesFromTheMakerAmountAndTheFee() {
        // the target's crossing SELL of 100 shares for 43.5 pUSD: taker is the exchange itself
        ChainFill fill = decoder.decode(orderFilled(TARGET, EXCHANGE, 1, 100_000_000, 43_500_000, 125_000), BLOCK_TIME, NOW)
                .orElseThrow();

        assertThat(fill.trade().side()).isEqualTo(Side.SELL);
        assertThat(fill.trade().quantity()).isEqualByComparingTo("100");
        assertThat(fill.trade().price()).isEqualByComparingTo("0.435");
        assertThat(fill.fee()).isEqualByComparingTo("0.125");
        assertThat(fill.aggressor()).isTrue();
    }

    @Test
    void shouldRoundANonTerminatingPriceHalfEvenToSixDecimals() {
        // 1 pUSD for 3 shares
        ChainFill fill = decoder.decode(orderFilled(TARGET, OTHER, 0, 1_000_000, 3_000_000, 0), BLOCK_TIME, NOW).orElseThrow();
        assertThat(fill.trade().price()).isEqualTo(new BigDecimal("0.333333"));
        assertThat(fill.trade().quantity()).isEqualByComparingTo("3");
    }

    @Test
    void shouldSkipTheCounterpartysLogOrdersMatchedAndOtherContracts() {
        // maker is someone else and the target is the taker: the counterparty's order
        assertThat(decoder.decode(orderFilled(OTHER, TARGET, 1, 21_040_000, 11_782_400, 0), BLOCK_TIME, NOW)).isEmpty();
        ChainLog matched = new ChainLog(EXCHANGE, List.of(OrderFilledDecoder.ORDERS_MATCHED, ORDER, topic(TARGET)),
                "0x" + word(0) + word(TOKEN) + word(BigInteger.valueOf(11_782_400)) + word(BigInteger.valueOf(21_040_000)),
                10, "0x" + "cc".repeat(32), TX, 3, false);
        assertThat(decoder.decode(matched, BLOCK_TIME, NOW)).isEmpty();
        ChainLog elsewhere = orderFilled(TARGET, OTHER, 0, 11_782_400, 21_040_000, 0);
        elsewhere = new ChainLog(OTHER, elsewhere.topics(), elsewhere.data(), 10, elsewhere.blockHash(), TX, 1, false);
        assertThat(decoder.decode(elsewhere, BLOCK_TIME, NOW)).isEmpty();
    }

    @Test
    void shouldTakeATargetListedTwiceAsOneTarget() {
        OrderFilledDecoder twice = new OrderFilledDecoder(List.of(new TraderId(TARGET), new TraderId(TARGET)),
                OrderFilledDecoder.POLYGON_EXCHANGES);
        assertThat(twice.targetAddresses()).containsExactly(TARGET);
        assertThat(twice.decode(orderFilled(TARGET, OTHER, 0, 11_782_400, 21_040_000, 0), BLOCK_TIME, NOW)).isPresent();
    }

    @Test
    void shouldRefuseAnUnreadableFillOfTheTarget() {
        assertThatThrownBy(() -> decoder.decode(orderFilled(TARGET, OTHER, 2, 1, 2, 0), BLOCK_TIME, NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("side must be 0 or 1");
        assertThatThrownBy(() -> decoder.decode(orderFilled(TARGET, OTHER, 0, 1, 0, 0), BLOCK_TIME, NOW))
                .hasMessageContaining("zero shares");
        assertThatThrownBy(() -> decoder.decode(orderFilled(TARGET, OTHER, 0, 5_000_000, 1_000_000, 0), BLOCK_TIME, NOW))
                .hasMessageContaining("outside (0,1)");
        // a price of exactly 1 or 0 is no price a market trades at; the smallest above 0 is
        assertThatThrownBy(() -> decoder.decode(orderFilled(TARGET, OTHER, 0, 2_000_000, 2_000_000, 0), BLOCK_TIME, NOW))
                .hasMessageContaining("price 1.000000 is outside (0,1)");
        assertThatThrownBy(() -> decoder.decode(orderFilled(TARGET, OTHER, 0, 0, 2_000_000, 0), BLOCK_TIME, NOW))
                .hasMessageContaining("outside (0,1)");
        assertThat(decoder.decode(orderFilled(TARGET, OTHER, 0, 1, 1_000_000, 0), BLOCK_TIME, NOW)).hasValueSatisfying(
                f -> assertThat(f.trade().price()).isEqualByComparingTo("0.000001"));
        ChainLog shortData = orderFilled(TARGET, OTHER, 0, 1, 2, 0);
        ChainLog cut = new ChainLog(EXCHANGE, shortData.topics(), shortData.data().substring(0, 66), 10,
                shortData.blockHash(), TX, 0, false);
        assertThatThrownBy(() -> decoder.decode(cut, BLOCK_TIME, NOW)).hasMessageContaining("7 words");
    }

    static ChainLog orderFilled(String maker, String taker, int side, long makerAmount, long takerAmount, long fee) {
        String data = "0x" + word(side) + word(TOKEN) + word(BigInteger.valueOf(makerAmount))
                + word(BigInteger.valueOf(takerAmount)) + word(BigInteger.valueOf(fee)) + word(0) + word(0);
        return new ChainLog(EXCHANGE, List.of(OrderFilledDecoder.ORDER_FILLED, ORDER, topic(maker), topic(taker)), data,
                10, "0x" + "cc".repeat(32), TX, 1, false);
    }

    static String topic(String address) {
        return OrderFilledDecoder.addressTopic(address);
    }

    static String word(long v) {
        return word(BigInteger.valueOf(v));
    }

    static String word(BigInteger v) {
        String h = v.toString(16);
        return "0".repeat(64 - h.length()) + h;
    }
}

package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A trade on the Kafka copy queue comes off it exactly as it went on; a record that is not one fails with a reason. */
class TradeJsonTest {
    private final TradeJson json = new TradeJson();

    private DetectedTrade roundTrip(DetectedTrade trade) {
        return json.deserialize("trades", json.serialize("trades", trade));
    }

    @Test
    void shouldCarryEveryFieldExactly() {
        // decimals keep their scale (10.00 is not 10), instants their nanoseconds
        DetectedTrade trade = new DetectedTrade(new SourceTradeId("fill-7"), Trades.ALICE, new InstrumentId("tok-yes"),
                "Yes", Side.SELL, new BigDecimal("0.4210"), new BigDecimal("10.00"), new BigDecimal("4.21"),
                Instant.parse("2026-11-24T12:00:00.123456789Z"), Instant.parse("2026-11-24T12:00:01Z"), "order-3");

        DetectedTrade back = roundTrip(trade);

        assertThat(back).isEqualTo(trade);
        assertThat(back.quantity().scale()).isEqualTo(2);
        assertThat(back.sourceOrder()).isEqualTo("order-3");
        assertThat(back.aggregationKey()).isEqualTo(trade.aggregationKey());
    }

    @Test
    void shouldCarryAMissingOutcomeAndSourceOrderAsMissing() {
        DetectedTrade trade = new DetectedTrade(new SourceTradeId("fill-8"), Trades.ALICE, new InstrumentId("tok-yes"),
                null, Side.BUY, new BigDecimal("0.5"), new BigDecimal("3"), new BigDecimal("1.50"), Trades.T0, Trades.T0);

        DetectedTrade back = roundTrip(trade);

        assertThat(back).isEqualTo(trade);
        assertThat(back.outcome()).isNull();
        assertThat(back.sourceOrder()).as("its own aggregation key, not the string \"null\"").isNull();
        assertThat(new String(json.serialize("trades", trade), StandardCharsets.UTF_8)).doesNotContain("sourceOrder");
    }

    @Test
    void shouldReadATombstoneAsNoTrade() {
        assertThat(json.serialize("trades", null)).isNull();
        assertThat(json.deserialize("trades", null)).isNull();
    }

    @Test
    void shouldNameTheMissingFieldOfARecordThatIsNotATrade() {
        String noPrice = "{\"sourceTradeId\":\"f-1\",\"trader\":\"alice\",\"instrument\":\"tok-yes\",\"side\":\"BUY\","
                + "\"quantity\":\"3\",\"notional\":\"1.50\",\"tsEvent\":\"2026-11-24T12:00:00Z\","
                + "\"tsInit\":\"2026-11-24T12:00:00Z\"}";

        assertThatThrownBy(() -> json.deserialize("trades", noPrice.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessage("unreadable trade on topic trades: missing price");
        String nullPrice = noPrice.replace("\"side\"", "\"price\":null,\"side\"");
        assertThatThrownBy(() -> json.deserialize("trades", nullPrice.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessage("unreadable trade on topic trades: missing price");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e999999999", "-3", "0", "0.000", "three", " "})
    void shouldFailARecordWhoseAmountsNoFeedWouldAdmit(String quantity) {
        String record = "{\"sourceTradeId\":\"f-1\",\"trader\":\"alice\",\"instrument\":\"tok-yes\",\"side\":\"BUY\","
                + "\"price\":\"0.5\",\"quantity\":\"" + quantity + "\",\"notional\":\"1.50\","
                + "\"tsEvent\":\"2026-11-24T12:00:00Z\",\"tsInit\":\"2026-11-24T12:00:00Z\"}";

        assertThatThrownBy(() -> json.deserialize("trades", record.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("unreadable trade on topic trades: quantity");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[]", "{\"side\":\"HOLD\"}"})
    void shouldFailARecordThatDoesNotParseWithASerializationException(String record) {
        assertThatThrownBy(() -> json.deserialize("trades", record.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("unreadable trade on topic trades: ");
    }
}

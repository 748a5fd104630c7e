package io.copytrader.engine;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.TraderId;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TargetPositionsTest {
    private final TargetPositions positions = new TargetPositions();

    @Test
    void shouldStampEachTradeWithTheTargetsPositionBeforeIt() {
        assertThat(positions.observe(Trades.buy("b1", "0.5", "100"))).isEqualByComparingTo("0");
        assertThat(positions.observe(Trades.sell("s1", "0.5", "40"))).isEqualByComparingTo("100");
        assertThat(positions.observe(Trades.sell("s2", "0.5", "80"))).isEqualByComparingTo("60");
        assertThat(positions.position(Trades.buy("x", "0.5", "1").trader(), Trades.buy("x", "0.5", "1").instrument()))
                .as("never below zero").isEqualByComparingTo("0");
    }

    @Test
    void shouldStampTheDetectedTradesExchangeWithThePositionBeforeIt() {
        Exchange first = exchangeOf(Trades.buy("b1", "0.5", "100"));
        Exchange second = exchangeOf(Trades.sell("s1", "0.5", "40"));

        positions.observe(first);
        positions.observe(second);

        assertThat(second.getProperty(TargetPositions.PROPERTY, BigDecimal.class)).isEqualByComparingTo("100");
        assertThat(positions.position(Trades.ALICE, Trades.YES_TOKEN)).isEqualByComparingTo("60");
    }

    @Test
    void shouldKnowNoPositionOfATargetNotSeenTrading() {
        assertThat(positions.position(new TraderId("bob"), Trades.YES_TOKEN)).isEqualByComparingTo("0");
    }

    static Exchange exchangeOf(DetectedTrade trade) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(trade);
        return exchange;
    }

    @Test
    void shouldStartFromASeedAndNotCountAgainTradesTheSeedAlreadyHolds() {
        var buy = Trades.buy("b1", "0.5", "10");
        TraderId trader = buy.trader();
        InstrumentId instrument = buy.instrument();
        positions.seed(trader, Map.of(instrument, new BigDecimal("500")), buy.tsEvent().plusSeconds(1));

        assertThat(positions.observe(buy)).as("older than the seed: already in it").isEqualByComparingTo("500");
        assertThat(positions.position(trader, instrument)).isEqualByComparingTo("500");
        assertThat(positions.observe(Trades.sell("s1", "0.5", "50"))).as("a sell before the seed").isEqualByComparingTo("550");
        positions.seed(trader, Map.of(instrument, new BigDecimal("500")), Instant.EPOCH);
        assertThat(positions.observe(Trades.sell("s2", "0.5", "50"))).isEqualByComparingTo("500");
        assertThat(positions.position(trader, instrument)).isEqualByComparingTo("450");
    }
}

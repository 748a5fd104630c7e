package io.copytrader.engine;

import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.TraderId;
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

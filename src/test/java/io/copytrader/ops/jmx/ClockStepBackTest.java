package io.copytrader.ops.jmx;

import io.copytrader.config.CopyTraderSettings;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.InstrumentId;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TraderId;
import io.copytrader.engine.PipelineMetrics;
import io.copytrader.engine.Portfolio;
import io.copytrader.ops.dashboard.OperatorView;
import io.copytrader.ops.dashboard.TradeTape;
import io.copytrader.paper.MutableClock;
import io.copytrader.store.InMemoryTradeStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's figures are read at most so often (Hawtio asks for each attribute one by one; the dashboard every
 * push); a step back of the wall clock (NTP's first sync after a boot, a VM restored) must not freeze them for as long
 * as the step.
 */
class ClockStepBackTest {
    static final Instant T0 = Instant.parse("2026-11-24T12:00:00Z");
    final MutableClock clock = new MutableClock(T0);
    final PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
    final InMemoryTradeStore store = new InMemoryTradeStore(clock);
    final OperatorView view = new OperatorView(CopyTraderSettings.load(Map.<String, String>of()::get, name -> null),
            metrics, CircuitBreaker.ofDefaults("orders"), new Portfolio(), store, new TradeTape(100, clock, "test"),
            () -> 0, () -> 0, clock);

    @Test
    void theJmxFiguresAreReadAgainAfterTheClockSteppedBack() {
        TradingMBeans.Figures figures = new TradingMBeans.Figures(view, clock);
        metrics.detected();
        assertThat(figures.getTradesDetected()).isEqualTo(1);
        metrics.detected();
        clock.advance(Duration.ofMillis(100));
        assertThat(figures.getTradesDetected()).as("read at most every 500 ms").isEqualTo(1);

        clock.advance(Duration.ofMinutes(-10));

        assertThat(figures.getTradesDetected()).as("read again, not ten minutes later").isEqualTo(2);
    }

    @Test
    void theDeadLetterCountsAreReadAgainAfterTheClockSteppedBack() {
        store.addDeadLetter(trade("t-1"), Reason.EXCHANGE_INSUFFICIENT_BALANCE, "refused");
        assertThat(view.deadLetters()).containsExactly(1, 1);
        store.addDeadLetter(trade("t-2"), Reason.EXCHANGE_INSUFFICIENT_BALANCE, "refused");
        clock.advance(Duration.ofMillis(100));
        assertThat(view.deadLetters()).as("read at most once a second").containsExactly(1, 1);

        clock.advance(Duration.ofMinutes(-10));

        assertThat(view.deadLetters()).as("read again, not ten minutes later").containsExactly(2, 2);
    }

    static DetectedTrade trade(String id) {
        return new DetectedTrade(new SourceTradeId(id), new TraderId("alice"), new InstrumentId("tok-yes"), "Yes", Side.BUY,
                new BigDecimal("0.50"), BigDecimal.TEN, new BigDecimal("5.00"), T0, T0);
    }
}

package io.copytrader.engine;

import io.copytrader.config.TargetSettings;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.Reason;
import io.copytrader.domain.Side;
import io.copytrader.domain.SourceTradeId;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.InMemoryTradeStore;
import io.copytrader.store.TradeStore;
import io.copytrader.venue.FeedClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.copytrader.engine.Trades.ALICE;
import static io.copytrader.engine.Trades.NO_TOKEN;
import static io.copytrader.engine.Trades.T0;
import static io.copytrader.engine.Trades.YES_TOKEN;
import static io.copytrader.engine.Trades.trade;
import static org.assertj.core.api.Assertions.assertThat;

/** MIN_TRADE_SIZE_USD 1, max trade age 30 s; the clock stands 5 s after T0. */
class TradeFilterTest {
    static final Instant NOW = T0.plusSeconds(5);

    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final InMemoryTradeStore store = new InMemoryTradeStore(clock);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final TradeLedger ledger = new TradeLedger(store, new PipelineMetrics(registry));
    final TradeFilter filter = new TradeFilter(new BigDecimal("1"), Duration.ofSeconds(30), ledger, clock);

    /** A trade detected (admitted past dedup) as the detector would, worth price * quantity USD. */
    DetectedTrade detected(String id, String price, String quantity, Instant tsEvent) {
        DetectedTrade t = trade(id, YES_TOKEN, Side.BUY, price, quantity, tsEvent);
        assertThat(ledger.admit(t)).isTrue();
        return t;
    }

    double skipped(Reason reason) {
        var counter = registry.find(PipelineMetrics.TRADES_SKIPPED).tag(PipelineMetrics.REASON_TAG, reason.name()).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void shouldSkipATradeBelowTheMinimumSize() {
        // 0.50 * 1.98 = 0.99 USD < 1
        DetectedTrade t = detected("t1", "0.50", "1.98", T0);

        assertThat(filter.accepts(t)).isFalse();

        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.SKIPPED, 1L);
        assertThat(store.inFlight()).isEmpty();
        assertThat(skipped(Reason.FILTER_BELOW_MIN_SIZE)).isEqualTo(1.0);
        assertThat(skipped(Reason.FILTER_STALE)).isZero();
    }

    @Test
    void shouldPassATradeOfExactlyTheMinimumSize() {
        // 0.50 * 2 = 1.00 USD
        DetectedTrade t = detected("t1", "0.50", "2", T0);

        assertThat(filter.accepts(t)).isTrue();
        assertThat(store.inFlight()).containsExactly(t);
    }

    @Test
    void shouldSkipAStaleTrade() {
        // filled 31 s before now, max age 30 s
        DetectedTrade t = detected("t1", "0.50", "100", NOW.minusSeconds(31));

        assertThat(filter.accepts(t)).isFalse();

        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.SKIPPED, 1L);
        assertThat(skipped(Reason.FILTER_STALE)).isEqualTo(1.0);
        assertThat(skipped(Reason.FILTER_BELOW_MIN_SIZE)).isZero();
    }

    @Test
    void shouldPassATradeExactlyAsOldAsTheMaxAge() {
        DetectedTrade t = detected("t1", "0.50", "100", NOW.minusSeconds(30));

        assertThat(filter.accepts(t)).isTrue();
    }

    @Test
    void shouldPassATradeDatedExactlyTheToleranceAheadOfTheClock() {
        // a clock 10 s behind the venue's still copies
        DetectedTrade t = detected("t1", "0.50", "100", NOW.plus(FeedClock.TRADE_TOLERANCE));

        assertThat(filter.accepts(t)).isTrue();
    }

    @Test
    void shouldSkipATradeDatedFurtherAheadOfTheClockThanTheTolerance() {
        // its age cannot be judged (a feed giving milliseconds for seconds, a clock far behind): not copied
        DetectedTrade t = detected("t1", "0.50", "100", NOW.plus(FeedClock.TRADE_TOLERANCE).plusSeconds(1));
        DetectedTrade far = detected("t2", "0.50", "100", NOW.plusSeconds(31));

        assertThat(filter.accepts(t)).isFalse();
        assertThat(filter.accepts(far)).isFalse();

        assertThat(store.ended(t.key())).contains(new TradeStore.Ended(TradeOutcome.SKIPPED, Reason.FILTER_DATED_AHEAD));
        assertThat(skipped(Reason.FILTER_DATED_AHEAD)).isEqualTo(2.0);
    }

    @Test
    void shouldSkipATradeReadFarAheadOfTheClockEvenOnceTheClockHasNearlyCaughtUp() {
        // read 40 s ahead of the clock, filtered 35 s later (an aggregation window, a restart): its time is still wrong
        DetectedTrade readAhead = new DetectedTrade(new SourceTradeId("t1"), ALICE, YES_TOKEN, "Yes", Side.BUY,
                new BigDecimal("0.50"), new BigDecimal("100"), new BigDecimal("50.00"), NOW.plusSeconds(5),
                NOW.minusSeconds(35));
        DetectedTrade readWithin = new DetectedTrade(new SourceTradeId("t2"), ALICE, YES_TOKEN, "Yes", Side.BUY,
                new BigDecimal("0.50"), new BigDecimal("100"), new BigDecimal("50.00"), NOW.plusSeconds(5),
                NOW.minusSeconds(5));
        assertThat(ledger.admit(readAhead)).isTrue();
        assertThat(ledger.admit(readWithin)).isTrue();

        assertThat(filter.accepts(readAhead)).isFalse();
        assertThat(filter.accepts(readWithin)).as("dated 10 s after it was read: within the tolerance").isTrue();
        assertThat(store.ended(readAhead.key()))
                .contains(new TradeStore.Ended(TradeOutcome.SKIPPED, Reason.FILTER_DATED_AHEAD));
    }

    @Test
    void shouldWarnOfATradeDatedAheadWithHowFarAheadOfTheClockItWasWhenRead() {
        // read 40 s ahead of the clock, filtered when it is 10 s ahead: the line gives the 40 s its time was wrong by
        DetectedTrade readAhead = new DetectedTrade(new SourceTradeId("t1"), ALICE, YES_TOKEN, "Yes", Side.BUY,
                new BigDecimal("0.50"), new BigDecimal("100"), new BigDecimal("50.00"), NOW.plusSeconds(5),
                NOW.minusSeconds(35));
        assertThat(ledger.admit(readAhead)).isTrue();
        List<String> warnings = Logged.warningsOf(TradeFilter.class,
                () -> assertThat(filter.accepts(readAhead)).isFalse());

        assertThat(warnings).singleElement()
                .satisfies(line -> assertThat(line)
                        .startsWith("Skipped trades dated ahead of this engine's clock")
                        .contains("1 since the last such line")
                        .contains(readAhead.key() + ": dated 40000 ms ahead of this engine's clock when read"));
    }

    @Test
    void shouldJudgeATradeAheadOfTheClockByTheToleranceWhateverTheMaxAge() {
        // a long max age does not let a trade dated far ahead through; a short one is the bound ahead too
        TradeFilter hourOld = new TradeFilter(new BigDecimal("1"), Duration.ofHours(1), ledger, clock);
        TradeFilter fiveSeconds = new TradeFilter(new BigDecimal("1"), Duration.ofSeconds(5), ledger, clock);
        DetectedTrade aheadOfTheTolerance = detected("t1", "0.50", "100", NOW.plus(FeedClock.TRADE_TOLERANCE).plusSeconds(1));
        DetectedTrade sixAhead = detected("t2", "0.50", "100", NOW.plusSeconds(6));
        DetectedTrade fiveAhead = detected("t3", "0.50", "100", NOW.plusSeconds(5));

        assertThat(hourOld.accepts(aheadOfTheTolerance)).isFalse();
        assertThat(fiveSeconds.accepts(sixAhead)).isFalse();
        assertThat(fiveSeconds.accepts(fiveAhead)).isTrue();
        assertThat(skipped(Reason.FILTER_DATED_AHEAD)).isEqualTo(2.0);
    }

    @Test
    void shouldSkipTradesDatedAtTheEdgesOfTimeWithoutFailing() {
        // Instant's first and last instants: no arithmetic on them overflows here
        DetectedTrade last = detected("t-last", "0.50", "100", Instant.MAX);
        DetectedTrade first = detected("t-first", "0.50", "100", Instant.MIN);

        assertThat(filter.accepts(last)).isFalse();
        assertThat(filter.accepts(first)).isFalse();

        assertThat(skipped(Reason.FILTER_DATED_AHEAD)).isEqualTo(1.0);
        assertThat(skipped(Reason.FILTER_STALE)).isEqualTo(1.0);
        assertThat(store.inFlight()).isEmpty();
    }

    @Test
    void shouldCountMillisecondsBetweenInstantsUpToWhatALongHolds() {
        assertThat(TradeFilter.millis(T0, T0.plusMillis(1500))).isEqualTo(1500);
        assertThat(TradeFilter.millis(T0, T0)).isZero();
        assertThat(TradeFilter.millis(Instant.MIN, Instant.MAX)).isEqualTo(Long.MAX_VALUE);
        assertThat(TradeFilter.millis(T0, T0.plusSeconds(Long.MAX_VALUE / 1000 - 1))).isEqualTo(
                (Long.MAX_VALUE / 1000 - 1) * 1000);
    }

    @Test
    void shouldCountMillisecondsPastWhatALongHoldsAsTheLargestLongWithoutOverflowing() {
        // the last whole second a long can count in milliseconds, and 999 ms more: past Long.MAX_VALUE ms
        Instant lastSecond = T0.plusSeconds(Long.MAX_VALUE / 1000);

        assertThat(TradeFilter.millis(T0, lastSecond.plusMillis(999))).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldPassAFreshTradeLargeEnoughAndRecordNothing() {
        DetectedTrade t = detected("t1", "0.50", "100", T0);

        assertThat(filter.accepts(t)).isTrue();

        assertThat(store.inFlight()).containsExactly(t);
        assertThat(store.outcomeCounts().values()).allMatch(n -> n == 0L);
        // every skip series exists from the start (at 0, so alerts see it); none counted this trade
        assertThat(registry.find(PipelineMetrics.TRADES_SKIPPED).counters()).allMatch(c -> c.count() == 0);
    }

    @Test
    void shouldUseTheMinimumTheRouteGives() {
        // 50 USD passes the default 1 but not a route's 100
        DetectedTrade t = detected("t1", "0.50", "100", T0);

        assertThat(filter.acceptsAtLeast(t, new BigDecimal("100"))).isFalse();
        assertThat(skipped(Reason.FILTER_BELOW_MIN_SIZE)).isEqualTo(1.0);
    }

    TradeFilter forAlice(String minTradeUsd, List<String> allow, List<String> deny) {
        TargetSettings alice = new TargetSettings(ALICE, BigDecimal.ONE, new BigDecimal("1000"),
                new BigDecimal(minTradeUsd), allow, deny);
        return new TradeFilter(new BigDecimal("1"), Duration.ofSeconds(30), Map.of(ALICE, alice), ledger, clock);
    }

    @Test
    void shouldSkipATargetsTradeInAMarketItsListsLeaveOut() {
        TradeFilter filter = forAlice("1", List.of("tok-*"), List.of("tok-yes"));
        DetectedTrade denied = detected("t1", "0.50", "100", T0);
        DetectedTrade allowed = trade("t2", NO_TOKEN, Side.BUY, "0.50", "100", T0);
        assertThat(ledger.admit(allowed)).isTrue();

        assertThat(filter.accepts(denied)).isFalse();
        assertThat(filter.accepts(allowed)).isTrue();

        assertThat(skipped(Reason.FILTER_MARKET_NOT_ALLOWED)).isEqualTo(1.0);
        assertThat(store.inFlight()).containsExactly(allowed);
    }

    @Test
    void shouldSkipATradeBelowItsTargetsOwnMinimumSize() {
        // 50 USD passes the global 1 but not alice's 100
        DetectedTrade t = detected("t1", "0.50", "100", T0);

        assertThat(forAlice("100", List.of(), List.of()).accepts(t)).isFalse();
        assertThat(skipped(Reason.FILTER_BELOW_MIN_SIZE)).isEqualTo(1.0);
    }

    @Test
    void shouldCountASkipOnceWhenTheSameTradeIsFilteredTwice() {
        DetectedTrade t = detected("t1", "0.50", "1", T0);

        filter.accepts(t);
        filter.accepts(t);

        assertThat(skipped(Reason.FILTER_BELOW_MIN_SIZE)).isEqualTo(1.0);
        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.SKIPPED, 1L);
    }
}

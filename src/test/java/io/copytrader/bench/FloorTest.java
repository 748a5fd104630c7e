package io.copytrader.bench;

import io.copytrader.domain.TradeOutcome;
import io.copytrader.store.OrderRecordState;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.StoreSettings;
import io.copytrader.store.TradeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FloorTest {

    @Test
    void shouldWriteEveryTradesAdmissionIntentAndAnswer() throws Exception {
        // 1. 3 threads, 7 trades of warm-up and 25 measured (pages of 10 and a partial one) on a store of the test's
        TradeStore store = StoreFactory.open("memory", Clock.systemUTC());
        Floor.StoreCost cost = Floor.measure(store, 3, 7, 25);

        // 2. every trade was admitted, its order written and filled, and the trade finished COPIED: 32 of each
        assertThat(store.detectedCount()).isEqualTo(32);
        assertThat(store.outcomeCounts()).containsEntry(TradeOutcome.COPIED, 32L);
        assertThat(store.ordersIn(EnumSet.of(OrderRecordState.FILLED))).hasSize(32);
        assertThat(store.inFlightCount()).isZero();
        // 3. the figures are per measured trade: CPU spent, and no more than the 3 threads could spend in the time
        assertThat(cost.cpuUsPerTrade()).isPositive().isLessThanOrEqualTo(3 * cost.wallUsPerTrade());
        assertThat(cost.wallUsPerTrade()).isPositive().isLessThan(1_000_000);
    }

    @Test
    void shouldAcceptTheSmallestSizes() throws Exception {
        // one thread, no warm-up, one trade; and as many trades as threads
        TradeStore one = StoreFactory.open("memory", Clock.systemUTC());
        Floor.measure(one, 1, 0, 1);
        assertThat(one.outcomeCounts()).containsEntry(TradeOutcome.COPIED, 1L);

        TradeStore two = StoreFactory.open("memory", Clock.systemUTC());
        Floor.measure(two, 2, 0, 2);
        assertThat(two.outcomeCounts()).containsEntry(TradeOutcome.COPIED, 2L);
    }

    @Test
    void shouldAcceptAsManyTradesAsThreadsAndASingleRoundTrip(@TempDir Path dir) throws Exception {
        assertThat(Floor.store(dir, StoreSettings.SqliteSync.NORMAL, 2, 0, 2).cpuUsPerTrade()).isPositive();
        assertThat(Floor.handoff(1).cpuUs()).isPositive();
    }

    @Test
    void shouldMeasureOnASqliteFileOfItsOwnAndDeleteIt(@TempDir Path dir) throws Exception {
        Floor.StoreCost cost = Floor.store(dir, StoreSettings.SqliteSync.FULL, 1, 0, 40);

        assertThat(cost.cpuUsPerTrade()).isPositive().isLessThanOrEqualTo(cost.wallUsPerTrade());
        assertThat(cost.wallUsPerTrade()).isPositive().isLessThan(1_000_000);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).as("the floor's database, its log and its shared memory are deleted").isEmpty();
        }
    }

    @Test
    void shouldRefuseMeaninglessSizes(@TempDir Path dir) {
        assertThatThrownBy(() -> Floor.store(dir, StoreSettings.SqliteSync.FULL, 0, 0, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Floor.store(dir, StoreSettings.SqliteSync.FULL, 5, 0, 4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Floor.store(dir, StoreSettings.SqliteSync.FULL, 1, -1, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Floor.handoff(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldMeasureAHandOffBetweenTwoThreads() throws Exception {
        Floor.HandoffCost cost = Floor.handoff(2_000);

        // CPU spent, and no more than the two threads could spend in the time; a hand-off is not a tenth of a second
        assertThat(cost.cpuUs()).isPositive().isLessThanOrEqualTo(2 * cost.wallUs());
        assertThat(cost.wallUs()).isPositive().isLessThan(100_000);
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .as("the echo thread ended").doesNotContain("copytrader-floor-echo");
    }

    @Test
    void shouldMeasureTheStoreBesideTheBenchsSqliteFileOnly() {
        assertThat(Bench.sqliteFolder("jdbc:sqlite:/var/tmp/bench.db?busy_timeout=5000")).isEqualTo(Path.of("/var/tmp"));
        assertThat(Bench.sqliteFolder("jdbc:sqlite:data/copytrader.db"))
                .isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(Bench.sqliteFolder("jdbc:postgresql://localhost/copytrader")).isNull();
        assertThat(Bench.sqliteFolder("memory")).isNull();
    }

    @Test
    void shouldSumTheStoreThePostAndThreeHandOffs() {
        Floor.Figures figures = new Floor.Figures(200, 80, 10);

        assertThat(figures.sum()).isEqualTo(310.0);
        assertThat(figures.line(5, "FULL")).startsWith("bench: floor cpu_us/trade store=200 (3 writes, 5 threads, "
                + "admissions in pages of 10, FULL) post=80 (the ceiling's) handoffs=3x10.0 sum=310: ");
    }

    @Test
    void shouldLeaveAStoreNotMeasuredOutOfTheSum() {
        Floor.Figures figures = new Floor.Figures(Double.NaN, 80, 10);

        assertThat(figures.sum()).isEqualTo(110.0);
        assertThat(figures.line(5, "FULL")).contains("store=na (").contains("sum=110:");
    }
}

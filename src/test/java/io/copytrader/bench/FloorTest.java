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
        // 3. the figures are per measured trade
        assertThat(cost.cpuUsPerTrade()).isPositive();
        assertThat(cost.wallUsPerTrade()).isPositive();
    }

    @Test
    void shouldMeasureOnASqliteFileOfItsOwnAndDeleteIt(@TempDir Path dir) throws Exception {
        Floor.StoreCost cost = Floor.store(dir, StoreSettings.SqliteSync.FULL, 2, 10, 40);

        assertThat(cost.cpuUsPerTrade()).isPositive();
        assertThat(cost.wallUsPerTrade()).isPositive();
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
        assertThatThrownBy(() -> Floor.handoffCpuUs(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldMeasureAHandOffBetweenTwoThreads() throws Exception {
        double us = Floor.handoffCpuUs(2_000);

        assertThat(us).isPositive().isFinite();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .as("the echo thread ended").doesNotContain("copytrader-floor-echo");
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

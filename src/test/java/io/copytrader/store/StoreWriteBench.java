package io.copytrader.store;

import io.copytrader.domain.DetectedTrade;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.domain.TraderId;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * How many trades per second the store takes through admit + finish (two durable writes each), from 1 and 5
 * threads, on SQLite with synchronous FULL and NORMAL (and PostgreSQL when COPYTRADER_TEST_POSTGRES_URL is set).
 * Prints a table; asserts nothing about speed.
 */
@Tag("bench")
class StoreWriteBench {

    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(3);

    @TempDir
    Path dir;

    @Test
    void shouldPrintTheWriteRates() throws Exception {
        System.out.printf("%-34s %7s %12s %10s %10s%n", "store", "threads", "trades/s", "p50 ms", "p99 ms");
        for (StoreSettings.SqliteSync sync : StoreSettings.SqliteSync.values()) {
            for (int threads : new int[] {1, 5}) {
                String url = "jdbc:sqlite:" + dir.resolve("bench-" + sync + "-" + threads + ".db");
                measure("sqlite wal synchronous=" + sync, StoreSettings.of(url).withSqliteSync(sync), threads);
            }
        }
        String postgres = System.getenv(TestPostgres.URL_VARIABLE);
        if (postgres != null && !postgres.isBlank()) {
            String schema = TestPostgres.createSchema();
            try {
                for (int threads : new int[] {1, 5}) {
                    measure("postgresql (server defaults)", TestPostgres.settings(schema), threads);
                }
            } finally {
                TestPostgres.dropSchema(schema);
            }
        }
    }

    private static void measure(String name, StoreSettings settings, int threads) throws Exception {
        try (TradeStore store = StoreFactory.open(settings, Clock.systemUTC())) {
            String run = Long.toString(System.nanoTime(), 36);
            runFor(store, "warm" + run, 1, TimeUnit.MILLISECONDS.toNanos(500), new Recorder(3));
            Recorder latency = new Recorder(3);
            long start = System.nanoTime();
            long trades = runFor(store, run, threads, RUN_NANOS, latency);
            double seconds = (System.nanoTime() - start) / 1e9;
            Histogram h = latency.getIntervalHistogram();
            System.out.printf("%-34s %7d %12.0f %10.2f %10.2f%n", name, threads, trades / seconds,
                    h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6);
        }
    }

    /** Each thread admits and finishes new trades until the time is up; returns how many trades went through. */
    private static long runFor(TradeStore store, String run, int threads, long nanos, Recorder latency)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            long deadline = System.nanoTime() + nanos;
            List<Future<Long>> counts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                TraderId trader = new TraderId("bench-" + run + "-" + t);
                counts.add(pool.submit(() -> {
                    go.await();
                    long n = 0;
                    for (long now = System.nanoTime(); now < deadline; now = System.nanoTime()) {
                        DetectedTrade trade = TradeFixtures.trade(trader, "n" + n);
                        store.admit(trade);
                        store.finish(trade.key(), TradeOutcome.COPIED, null, null);
                        latency.recordValue(System.nanoTime() - now);
                        n++;
                    }
                    return n;
                }));
            }
            go.countDown();
            long total = 0;
            for (Future<Long> f : counts) {
                total += f.get();
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }
}

package io.copytrader.paper.bench;

import io.copytrader.domain.ClientOrderId;
import io.copytrader.paper.FillModelSettings;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueConfig;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.JdkVenueHttpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How many requests per second the paper venue serves on loopback: N callers, each with its own
 * {@link JdkVenueHttpClient}, post orders (and, in the second run, read feed pages) back to back for a few seconds.
 * Not a correctness test: excluded from the default run by its tag. Run with
 * {@code mvn -Dtest=PaperVenueLoadBench -Dsurefire.excludedGroups= test}; figures go to the test's output file.
 */
@Tag("bench")
class PaperVenueLoadBench {
    private static final int CALLERS = Integer.getInteger("bench.callers", 8);
    private static final Duration WARM_UP = Duration.ofSeconds(2);
    private static final Duration MEASURE = Duration.ofSeconds(Integer.getInteger("bench.seconds", 5));

    @Test
    @Timeout(60)
    void shouldMeasureOrderPlacementsPerSecond() throws Exception {
        try (PaperVenue venue = PaperVenue.start(PaperVenueConfig.builder().traders(Map.of())
                .startingCash(new BigDecimal("1000000000")).fillModel(FillModelSettings.DEFAULT).build())) {
            AtomicLong ids = new AtomicLong();
            String url = venue.baseUrl() + "/exchange/orders";
            double rate = run("POST /exchange/orders", () -> HttpCall.postJson(url, "{\"clientOrderId\":\""
                    + new ClientOrderId("bench-" + ids.incrementAndGet()) + "\",\"instrument\":\"tok-1\",\"side\":\"BUY\","
                    + "\"price\":0.5,\"quantity\":1.25}"));
            assertThat(venue.stats().ordersAccepted()).isPositive();
            assertThat(rate).isPositive();
        }
    }

    @Test
    @Timeout(60)
    void shouldMeasureFeedPagesPerSecond() throws Exception {
        try (PaperVenue venue = PaperVenue.start(PaperVenueConfig.builder().traders(Map.of("alice", 0.0)).build())) {
            HttpCall page = HttpCall.get(venue.baseUrl() + "/feed/traders/alice/fills?after=0&limit=100");
            new io.copytrader.paper.PaperVenueAdmin(venue.baseUrl()).emit("alice", 1000);
            assertThat(run("GET feed page of 100 fills", () -> page)).isPositive();
        }
    }

    /** Runs CALLERS loops of the call for WARM_UP + MEASURE; returns and prints the measured requests/s. */
    private static double run(String what, java.util.function.Supplier<HttpCall> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        AtomicLong counted = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + WARM_UP.toNanos();
        long end = measureFrom + MEASURE.toNanos();
        List<Future<?>> callers = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            callers.add(pool.submit(() -> {
                JdkVenueHttpClient http = new JdkVenueHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
                long now;
                while ((now = System.nanoTime()) < end) {
                    HttpReply reply = http.execute(call.get());
                    if (!reply.isSuccess()) {
                        failures.incrementAndGet();
                    }
                    if (now >= measureFrom) {
                        counted.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> caller : callers) {
            caller.get();
        }
        pool.shutdown();
        double perSecond = counted.get() / (MEASURE.toNanos() / 1e9);
        System.out.printf("BENCH %s: %d callers, %.0f requests/s over %d s (%d non-2xx), %d cores%n", what, CALLERS,
                perSecond, MEASURE.toSeconds(), failures.get(), Runtime.getRuntime().availableProcessors());
        return perSecond;
    }
}

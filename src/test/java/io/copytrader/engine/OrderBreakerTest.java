package io.copytrader.engine;

import io.copytrader.venue.TransientVenueException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class OrderBreakerTest {
    private static final TransientVenueException HTTP_500 = new TransientVenueException("500", 500, null);

    private static CircuitBreaker breaker(int n) {
        return CircuitBreaker.of("test", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(n).minimumNumberOfCalls(n).failureRateThreshold(100f)
                .waitDurationInOpenState(Duration.ofMinutes(5))
                .recordException(Failures::countsTowardBreaker)
                .ignoreException(t -> !Failures.countsTowardBreaker(t))
                .build());
    }

    @RepeatedTest(5)
    @Timeout(10)
    void shouldCountExactlyMaxConsecutiveFailuresWhenManyTradesFailAtOnce() throws Exception {
        OrderBreaker breaker = new OrderBreaker(breaker(5));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> counted = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                counted.add(pool.submit(() -> {
                    start.await();
                    return breaker.countFailure(HTTP_500);
                }));
            }
            start.countDown();
            int n = 0;
            for (Future<Boolean> f : counted) {
                n += f.get() ? 1 : 0;
            }
            assertThat(n).isEqualTo(5);
            assertThat(breaker.isOpen()).isTrue();
            assertThat(breaker.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldNeverCountAFailureThatIsNotTheVenues() {
        OrderBreaker breaker = new OrderBreaker(breaker(1));

        assertThat(breaker.countFailure(new IllegalStateException("a bug"))).isFalse();
        assertThat(breaker.countFailure(new OrderFailedException(null, "handled"))).isFalse();
        assertThat(breaker.isOpen()).isFalse();
        assertThat(breaker.countFailure(new java.net.SocketTimeoutException("Read timed out"))).isTrue();
        assertThat(breaker.isOpen()).isTrue();
    }
}

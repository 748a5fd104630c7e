package io.copytrader.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The polls' executor: an Error in one run does not end the runs after it. */
@Timeout(30)
class GuardedSchedulerTest {

    /** A poll whose first run overflows its stack, as a feed poll did under overload; counts down at each later run. */
    private static Runnable overflowingOnce(AtomicInteger runs, CountDownLatch later) {
        return () -> {
            if (runs.incrementAndGet() == 1) {
                throw new StackOverflowError();
            }
            later.countDown();
        };
    }

    @Test
    void shouldRunAPollAgainAfterARunThatThrewAnError() throws Exception {
        GuardedScheduler scheduler = new GuardedScheduler("Camel (test) scheduler://detect-trades");
        try {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch later = new CountDownLatch(3);
            scheduler.scheduleWithFixedDelay(overflowingOnce(runs, later), 0, 5, TimeUnit.MILLISECONDS);
            assertThat(later.await(10, TimeUnit.SECONDS)).as("three runs after the one that failed").isTrue();
            assertThat(scheduler.errors()).isEqualTo(1);
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aPlainScheduledExecutorEndsAPollAfterARunThatThrewAnError() throws Exception {
        // what Camel's scheduler runs on by default: the periodic task ends with the run that threw, for good
        ScheduledExecutorService plain = new ScheduledThreadPoolExecutor(1);
        try {
            AtomicInteger runs = new AtomicInteger();
            ScheduledFuture<?> poll = plain.scheduleWithFixedDelay(overflowingOnce(runs, new CountDownLatch(1)), 0, 5,
                    TimeUnit.MILLISECONDS);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(poll::isDone);
            assertThat(runs.get()).isEqualTo(1);
        } finally {
            plain.shutdownNow();
        }
    }

    @Test
    void shouldNameItsThreadAfterThePollsEndpoint() throws Exception {
        GuardedScheduler scheduler = new GuardedScheduler("Camel (test) scheduler://monitor-orders");
        try {
            String name = scheduler.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
            assertThat(name).isEqualTo("Camel (test) scheduler://monitor-orders");
        } finally {
            scheduler.shutdownNow();
        }
    }
}

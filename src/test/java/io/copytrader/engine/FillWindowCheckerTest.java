package io.copytrader.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fill window's checker runs Camel's periodic look for expired groups only while a group is open: with none, the
 * task parks and nothing is left scheduled (no wake-up at all), and the first group opened brings it back.
 */
@Timeout(30)
class FillWindowCheckerTest {
    private final AtomicBoolean open = new AtomicBoolean();
    private final AtomicInteger checks = new AtomicInteger();
    private final FillWindowChecker checker = new FillWindowChecker(open::get, 0); // no window: the first look one period after a group opens

    @AfterEach
    void stop() {
        checker.shutdownNow();
    }

    @Test
    void shouldParkWithNothingScheduledWhileNoGroupIsOpen() {
        checker.scheduleWithFixedDelay(checks::incrementAndGet, 0, 10, TimeUnit.MILLISECONDS);
        // the first step runs at once, finds no group, parks: the executor's queue empties and the look never ran
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.getQueue().isEmpty() && checker.getActiveCount() == 0);
        assertThat(checks).hasValue(0);
    }

    @Test
    void shouldLookEveryPeriodWhileAGroupIsOpenAndParkWhenTheLastOneCloses() {
        checker.scheduleWithFixedDelay(checks::incrementAndGet, 0, 10, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.getQueue().isEmpty() && checker.getActiveCount() == 0);

        open.set(true);
        checker.groupOpened();
        await().atMost(Duration.ofSeconds(5)).until(() -> checks.get() >= 3);
        // the next look is scheduled: one task on the queue (a look that is running is off it until it ends, so this
        // is awaited, not read at one instant)
        await("the next look is scheduled").atMost(Duration.ofSeconds(5)).until(() -> checker.getQueue().size() == 1);

        open.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.getQueue().isEmpty() && checker.getActiveCount() == 0);
        int parkedAt = checks.get();

        open.set(true);
        checker.groupOpened();
        await().atMost(Duration.ofSeconds(5)).until(() -> checks.get() > parkedAt);
    }

    @Test
    void shouldRunTheEnginesOwnLookAfterEachOfCamelsAndNotWhileParked() {
        java.util.List<String> looks = new java.util.concurrent.CopyOnWriteArrayList<>();
        checker.alsoAfterEachLook(() -> looks.add("engine's"));
        checker.scheduleWithFixedDelay(() -> looks.add("Camel's"), 0, 10, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.getQueue().isEmpty() && checker.getActiveCount() == 0);
        assertThat(looks).as("parked: neither look ran").isEmpty();

        open.set(true);
        checker.groupOpened();
        await().atMost(Duration.ofSeconds(5)).until(() -> looks.size() >= 4);
        open.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.getQueue().isEmpty() && checker.getActiveCount() == 0);
        // in pairs, Camel's first
        for (int i = 0; i < looks.size(); i++) {
            assertThat(looks.get(i)).isEqualTo(i % 2 == 0 ? "Camel's" : "engine's");
        }
        assertThat(looks.size() % 2).isZero();
    }

    @Test
    void shouldWakeOnceForManyGroupsOpened() {
        checker.scheduleWithFixedDelay(checks::incrementAndGet, 0, 10, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.getQueue().isEmpty() && checker.getActiveCount() == 0);
        open.set(true);
        for (int i = 0; i < 100; i++) {
            checker.groupOpened();
        }
        assertThat(checker.getQueue()).as("one task scheduled, not one per group").hasSize(1);
    }

    @Test
    void shouldFirstLookOneWindowAfterTheGroupThatWokeIt() {
        FillWindowChecker windowed = new FillWindowChecker(open::get, 60_000);
        try {
            windowed.scheduleWithFixedDelay(checks::incrementAndGet, 0, 10, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> windowed.getQueue().isEmpty() && windowed.getActiveCount() == 0);
            open.set(true);
            windowed.groupOpened();
            // the group cannot be past its window for a minute: the look is a minute away, not a period
            assertThat(windowed.getQueue()).hasSize(1);
            assertThat(((java.util.concurrent.Delayed) windowed.getQueue().peek()).getDelay(TimeUnit.MILLISECONDS)).isGreaterThan(50_000);
            assertThat(checks).hasValue(0);
        } finally {
            windowed.shutdownNow();
        }
    }

    @Test
    void shouldStopLookingOnceCancelled() {
        open.set(true);
        ScheduledFuture<?> task = checker.scheduleWithFixedDelay(checks::incrementAndGet, 0, 10, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> checks.get() >= 2);
        assertThat(task.cancel(false)).isTrue();
        assertThat(task.isCancelled()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.getQueue().isEmpty() && checker.getActiveCount() == 0);
        int cancelledAt = checks.get();
        checker.groupOpened();
        assertThat(checker.getQueue()).as("a cancelled task is not woken").isEmpty();
        assertThat(checks).hasValue(cancelledAt);
    }
}

package io.copytrader.engine;

import io.copytrader.store.StoreException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** How a store write made before sending is tried again after a transient error: bounded, paced, told. */
class StoreRetriesTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<Long> pauses = new ArrayList<>();
    final StoreRetries retries = new StoreRetries(new PipelineMetrics(registry), pauses::add);
    final List<Boolean> attempts = new ArrayList<>();

    static StoreException dropped() {
        return new StoreException("could not write: An I/O error occurred while sending to the backend.",
                new SQLException("An I/O error occurred while sending to the backend.", "08006"));
    }

    /** A write that fails transiently {@code failures} times, then answers "done". */
    StoreRetries.Attempt<String> failing(int failures) {
        return afterAFailure -> {
            attempts.add(afterAFailure);
            if (attempts.size() <= failures) {
                throw dropped();
            }
            return "done";
        };
    }

    double retried() {
        return registry.get(PipelineMetrics.STORE_WRITES_RETRIED).counter().count();
    }

    @Test
    void shouldTryATransientFailureAgainWithAShortPauseAndSayAnEarlierAttemptFailed() {
        assertThat(retries.write(() -> "w", failing(2))).isEqualTo("done");
        assertThat(attempts).containsExactly(false, true, true);
        assertThat(pauses).containsExactly(50L, 150L);
        assertThat(retried()).isEqualTo(2);
    }

    @Test
    void shouldGiveUpAfterThreeAttemptsWithTheLastErrorAndTheEarlierOnesSuppressed() {
        StoreException failed = catchThrowableOfType(() -> retries.write(() -> "w", failing(3)), StoreException.class);
        assertThat(attempts).hasSize(StoreRetries.ATTEMPTS).hasSize(3);
        assertThat(failed.getSuppressed()).hasSize(1);
        assertThat(failed.getSuppressed()[0].getSuppressed()).hasSize(1);
        assertThat(pauses).containsExactly(50L, 150L);
    }

    @Test
    void shouldNotTryAgainAnErrorThatIsNotTransient() {
        StoreException bug = new StoreException("could not write: duplicate key", new SQLException("dup", "23505"));
        StoreException failed = catchThrowableOfType(() -> retries.write(() -> "w", afterAFailure -> {
            attempts.add(afterAFailure);
            throw bug;
        }), StoreException.class);
        assertThat(failed).isSameAs(bug);
        assertThat(attempts).hasSize(1);
        assertThat(pauses).isEmpty();
        assertThat(retried()).isZero();
    }

    @Test
    void shouldNotTryAgainOnceTheEngineIsStopping() {
        retries.stoppingWhen(() -> true);
        catchThrowableOfType(() -> retries.write(() -> "w", failing(1)), StoreException.class);
        assertThat(attempts).hasSize(1);
        assertThat(pauses).isEmpty();
    }

    @Test
    void shouldNotTryAgainOnAnInterruptedThread() {
        Thread.currentThread().interrupt();
        try {
            catchThrowableOfType(() -> retries.write(() -> "w", failing(1)), StoreException.class);
            assertThat(attempts).hasSize(1);
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt kept").isTrue();
        }
    }

    @Test
    void shouldWarnOfARetryWithTheWriteAndWhichAttemptItIs() {
        List<String> warnings = Logged.warningsOf(StoreRetries.class,
                () -> assertThat(retries.write(() -> "the intent of order o-1", failing(1))).isEqualTo("done"));

        assertThat(warnings).singleElement()
                .satisfies(line -> assertThat(line)
                        .startsWith("Store writes before sending failed with a transient error and were tried again")
                        .contains("1 since the last such line")
                        .contains("the intent of order o-1, attempt 2 of 3: " + dropped().getMessage()));
    }

    @Test
    void shouldPauseForRealBetweenAttemptsAsShipped() {
        // the engine's own pauses, not a test's: 50 ms and 150 ms go by before the third attempt
        StoreRetries shipped = new StoreRetries(new PipelineMetrics(registry));
        long start = System.nanoTime();

        assertThat(shipped.write(() -> "w", failing(2))).isEqualTo("done");

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50 + 150));
        assertThat(attempts).hasSize(3);
    }

    @Test
    void shouldNotTryAgainAfterAPauseThatWasInterrupted() {
        // the interrupt comes as the engine's own pause begins: the attempt after it is the last, the interrupt kept
        StoreRetries shipped = new StoreRetries(new PipelineMetrics(registry));
        try {
            catchThrowableOfType(() -> shipped.write(() -> {
                Thread.currentThread().interrupt();
                return "w";
            }, failing(3)), StoreException.class);
            assertThat(attempts).containsExactly(false, true);
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt kept").isTrue();
        }
    }

    @Test
    void shouldTellAWriteCommittedAfterAllFromOneThatWasNot() {
        StoreException failed = dropped();

        assertThat(StoreRetries.committedAfterAll(failed, () -> true)).isTrue();
        assertThat(StoreRetries.committedAfterAll(failed, () -> false)).isFalse();
        assertThat(failed.getSuppressed()).isEmpty();
    }

    @Test
    void shouldKeepTheWritesErrorAndAddTheReadsWhenTheReadBackFailsToo() {
        StoreException failed = dropped();
        StoreException readFailed = dropped();

        assertThat(StoreRetries.committedAfterAll(failed, () -> {
            throw readFailed;
        })).isFalse();

        assertThat(failed.getSuppressed()).containsExactly(readFailed);
    }
}

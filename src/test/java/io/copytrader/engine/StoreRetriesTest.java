package io.copytrader.engine;

import io.copytrader.store.StoreException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

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
}

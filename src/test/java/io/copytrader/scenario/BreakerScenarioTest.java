package io.copytrader.scenario;

import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import io.copytrader.store.DeadLetter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The breaker under a venue that fails every order, with the shipped retry count (EXCHANGE_MAX_RETRIES 3), the
 * shipped MAX_CONSECUTIVE_FAILURES (5) and the shipped 5 concurrent consumers: it opens after exactly 5 trades, each
 * failed trade has exactly one dead letter, nothing is sent for a trade once it failed, and when the venue recovers
 * the breaker half-opens and a success closes it. Only the waits are shortened (backoff, Retry-After cap, timeouts,
 * breaker cooldown), to keep the test quick.
 */
@Timeout(120)
class BreakerScenarioTest {
    private static final int MAX_FAILURES = 5;
    private static final int SHIPPED_RETRIES = 3;

    /** How each fault looks on the wire, and what a trade that hit it ends as. */
    enum Outage {
        HTTP_500(FaultSpec.withProbability(FaultKind.HTTP_5XX, 1.0), FaultKind.HTTP_5XX, Reason.EXCHANGE_RETRIES_EXHAUSTED),
        RATE_LIMITED_429(FaultSpec.withProbability(FaultKind.RATE_LIMIT_429, 1.0).withRetryAfter(1), FaultKind.RATE_LIMIT_429,
                Reason.EXCHANGE_RETRIES_EXHAUSTED),
        TIMEOUT(FaultSpec.withProbability(FaultKind.TIMEOUT, 1.0), FaultKind.TIMEOUT, Reason.EXCHANGE_UNKNOWN_OUTCOME),
        CONNECTION_RESET(FaultSpec.withProbability(FaultKind.CONNECTION_RESET, 1.0), FaultKind.CONNECTION_RESET,
                Reason.EXCHANGE_UNKNOWN_OUTCOME);

        final FaultSpec fault;
        final FaultKind kind;
        final Reason failedAs;

        Outage(FaultSpec fault, FaultKind kind, Reason failedAs) {
            this.fault = fault;
            this.kind = kind;
            this.failedAs = failedAs;
        }

        /** Retried (nothing reached the venue) rather than looked up (the request may have reached it). */
        boolean retried() {
            return failedAs == Reason.EXCHANGE_RETRIES_EXHAUSTED;
        }
    }

    @ParameterizedTest
    @EnumSource(Outage.class)
    void shouldOpenAfterExactlyMaxConsecutiveFailedTradesAndCloseWhenTheVenueRecovers(Outage outage) {
        try (EngineHarness h = EngineHarness.builder()
                .set("copytrader.breaker.cooldown-minutes", "0.05") // 3 s
                .set("copytrader.exchange.max-retry-after-ms", 200) // the venue asks for 1 s; capped
                .set("copytrader.exchange.response-timeout-ms", 300)
                .set("copytrader.monitor.unknown-grace-ms", 300)
                .start()) {
            CircuitBreaker breaker = h.breaker();
            List<Integer> failedCallsWhenOpened = new CopyOnWriteArrayList<>();
            breaker.getEventPublisher().onStateTransition(e -> {
                if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                    failedCallsWhenOpened.add(breaker.getMetrics().getNumberOfFailedCalls());
                }
            });
            // 1. the venue fails every order placement; alice trades 12 times
            h.admin().injectFault(outage.fault);
            h.emit(12);
            h.awaitSettled(12, Duration.ofSeconds(40));

            // 2. the breaker opened once, on exactly the 5th counted trade, and stays open (the breaker records a
            //    call's failure after its fallback has ended the trade: its transition may come just after)
            await().atMost(Duration.ofSeconds(5)).until(() -> !failedCallsWhenOpened.isEmpty());
            assertThat(failedCallsWhenOpened).containsExactly(MAX_FAILURES);
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
            // every trade placed failed (the rest were sells of nothing we hold: skipped), one dead letter each
            long failed = h.outcomes(TradeOutcome.FAILED);
            assertThat(failed).isGreaterThan(MAX_FAILURES).isEqualTo(12 - h.outcomes(TradeOutcome.SKIPPED));
            List<DeadLetter> letters = h.store().deadLetters();
            Map<String, Long> lettersPerTrade = letters.stream()
                    .collect(Collectors.groupingBy(d -> d.trade().key(), Collectors.counting()));
            assertThat(lettersPerTrade).hasSize((int) failed).allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1));
            Map<Reason, Long> byReason = letters.stream().collect(Collectors.groupingBy(DeadLetter::reason, Collectors.counting()));
            assertThat(byReason.keySet()).isSubsetOf(Set.of(outage.failedAs, Reason.EXCHANGE_CIRCUIT_OPEN));
            if (outage.retried()) {
                // the 5 that counted ran out of retries; every other one was stopped by the open breaker
                assertThat(byReason.get(outage.failedAs)).isEqualTo(MAX_FAILURES);
            } else {
                assertThat(byReason.get(outage.failedAs)).isGreaterThanOrEqualTo(MAX_FAILURES);
            }
            long sends = h.admin().stats().faults(outage.kind);
            long perTrade = outage.retried() ? SHIPPED_RETRIES + 1 : 1;
            assertThat(sends).as("order sends").isGreaterThanOrEqualTo(MAX_FAILURES * perTrade)
                    .isLessThanOrEqualTo(failed * perTrade);
            assertThat(h.admin().stats().ordersAccepted()).isZero();
            // 3. nothing is sent for a trade that failed
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> h.admin().stats().faults(outage.kind) == sends);

            // 4. the venue recovers: after the cooldown the breaker half-opens; one trade gets through and closes it
            h.admin().clearFaults();
            await().atMost(Duration.ofSeconds(10)).until(() -> breaker.getState() == CircuitBreaker.State.HALF_OPEN);
            long detected = 12;
            while (h.outcomes(TradeOutcome.COPIED) == 0) { // a sell of nothing held is skipped, not a trial
                h.emit(1);
                h.awaitSettled(++detected, Duration.ofSeconds(20));
            }
            // the trial's success reaches the breaker as place-order returns, just after the trade was recorded
            await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getState() == CircuitBreaker.State.CLOSED);
            h.emit(5);
            h.awaitSettled(detected + 5, Duration.ofSeconds(20));
            assertThat(h.outcomes(TradeOutcome.COPIED)).isGreaterThan(1);
            // no failed trade's order ever reached the venue: it accepted exactly the copied ones
            assertThat(h.admin().stats().ordersAccepted()).isEqualTo(h.outcomes(TradeOutcome.COPIED));
            assertThat(h.outcomes(TradeOutcome.FAILED)).isEqualTo(failed);
            h.assertAccountingIdentity();
        }
    }
}

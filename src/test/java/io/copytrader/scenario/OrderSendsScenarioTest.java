package io.copytrader.scenario;

import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.FaultKind;
import io.copytrader.paper.FaultSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every order the venue receives is one the engine chose to send: the HTTP client under {@code to: http://exchange}
 * resends nothing on its own. Apache HttpClient's default retry strategy resends a request once when the answer is
 * 429 or 503 and its Retry-After (1 s without one) fits in the response timeout; with the shipped 5 s timeout that
 * would be a second order sent behind the retry policy's back (its attempt count, its Retry-After cap, the breaker),
 * holding a dispatch slot for the wait, and a second request against a rate limit the venue just said was spent.
 */
@Timeout(60)
class OrderSendsScenarioTest {

    @Test
    void shouldSendARateLimitedOrderExactlyOnceWhenTheRetryPolicyAllowsNoRetry() {
        try (EngineHarness h = EngineHarness.builder()
                .set("copytrader.exchange.max-retries", 0) // the policy's own retries off: one send per order
                .start()) {
            // the shipped response timeout (5 s) is longer than the venue's Retry-After (1 s)
            assertThat(h.context().resolvePropertyPlaceholders("{{copytrader.exchange.response-timeout-ms}}"))
                    .isEqualTo("5000");
            h.admin().injectFault(FaultSpec.withProbability(FaultKind.RATE_LIMIT_429, 1.0).withRetryAfter(1));
            long detected = 0;
            while (h.outcomes(TradeOutcome.FAILED) == 0) { // a sell of nothing held is skipped, never sent
                h.emit(1);
                h.awaitSettled(++detected, Duration.ofSeconds(20));
            }
            assertThat(h.store().deadLetters()).singleElement()
                    .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.EXCHANGE_RETRIES_EXHAUSTED));
            // one send, and none later (a client-side resend would come a second after the first answer)
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(h.admin().stats().faults(FaultKind.RATE_LIMIT_429)).as("order sends")
                            .isEqualTo(1));
            assertThat(h.admin().stats().ordersAccepted()).isZero();
        }
    }
}

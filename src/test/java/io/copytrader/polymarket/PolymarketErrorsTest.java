package io.copytrader.polymarket;

import io.copytrader.domain.Reason;
import io.copytrader.polymarket.PolymarketErrors.Kind;
import io.copytrader.venue.HttpReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The documented error strings of venues/polymarket.md 2.5, each to its DESIGN section 6 class. */
class PolymarketErrorsTest {
    @ParameterizedTest(name = "{0} ''{1}'' -> {2} {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            400 | not enough balance / allowance                                                              | REJECT           | EXCHANGE_INSUFFICIENT_BALANCE
            400 | not enough balance / allowance: the balance is not enough -> balance: 4893500, order amount: 5000000 | REJECT | EXCHANGE_INSUFFICIENT_BALANCE
            400 | INVALID_ORDER_NOT_ENOUGH_BALANCE                                                            | REJECT           | EXCHANGE_INSUFFICIENT_BALANCE
            400 | order_version_mismatch                                                                      | VERSION_MISMATCH | EXCHANGE_INVALID_ORDER
            400 | order couldn't be fully filled. FOK orders are fully filled or killed.                      | REJECT           | EXCHANGE_NOT_FILLED
            400 | no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found. | REJECT | EXCHANGE_NOT_FILLED
            400 | FOK_ORDER_NOT_FILLED_ERROR                                                                  | REJECT           | EXCHANGE_NOT_FILLED
            400 | order 0xabc is invalid. Duplicated.                                                         | REJECT           | EXCHANGE_DUPLICATE_ORDER
            400 | order 0xabc is invalid. Price (0.555) breaks minimum tick size rule: 0.01                   | REJECT           | EXCHANGE_INVALID_ORDER
            400 | order 0xabc is invalid. Size (1) lower than the minimum: 5                                  | REJECT           | EXCHANGE_INVALID_ORDER
            400 | invalid post-only order: order crosses book                                                 | REJECT           | EXCHANGE_INVALID_ORDER
            400 | invalid nonce                                                                               | REJECT           | EXCHANGE_INVALID_ORDER
            400 | invalid expiration                                                                          | REJECT           | EXCHANGE_INVALID_ORDER
            400 | the market is not yet ready to process new orders                                           | REJECT           | EXCHANGE_INVALID_ORDER
            400 | order match delayed due to market conditions                                                | DELAYED          | -
            400 | the order owner has to be the owner of the API KEY                                          | REJECT           | EXCHANGE_AUTH_FAILED
            400 | the order signer address has to be the address of the API KEY                               | REJECT           | EXCHANGE_AUTH_FAILED
            401 | Unauthorized/Invalid api key                                                                | REJECT           | EXCHANGE_AUTH_FAILED
            403 | '0x1111111111111111111111111111111111111111' address banned                                 | REJECT           | EXCHANGE_AUTH_FAILED
            400 | address 0x11 is in closed only mode                                                         | REJECT           | EXCHANGE_AUTH_FAILED
            401 | -                                                                                           | REJECT           | EXCHANGE_AUTH_FAILED
            404 | market not found                                                                            | REJECT           | EXCHANGE_INVALID_ORDER
            400 | something nobody documented                                                                 | REJECT           | EXCHANGE_INVALID_ORDER
            425 | -                                                                                           | TRANSIENT        | -
            429 | Too Many Requests                                                                           | TRANSIENT        | -
            500 | internal error                                                                              | TRANSIENT        | -
            502 | -                                                                                           | TRANSIENT        | -
            503 | Trading is currently disabled. Check polymarket.com for updates                             | TRANSIENT        | -
            503 | Trading is currently cancel-only                                                            | TRANSIENT        | -
            """)
    void shouldClassifyEachDocumentedError(int status, String message, Kind kind, Reason reason) {
        assertThat(PolymarketErrors.classify(status, message)).isEqualTo(new PolymarketErrors.Classified(kind, reason));
    }

    /** 425 (matching engine restarting), 429 and every 5xx are worth another attempt; other 4xx are not. */
    @ParameterizedTest
    @CsvSource({"425, true", "429, true", "500, true", "503, true", "499, false", "400, false", "404, false", "426, false"})
    void shouldTreatTheRestartRateLimitAndServerErrorsAsTransient(int status, boolean transientStatus) {
        assertThat(PolymarketErrors.isTransientStatus(status)).isEqualTo(transientStatus);
    }

    @Test
    void shouldSayWhenTheMatchingEngineRestarts() {
        assertThat(PolymarketErrors.transientFor("POST /order", new HttpReply(425, Map.of(), "")))
                .hasMessage("Polymarket POST /order answered HTTP 425 (matching engine restarting)");
        assertThat(PolymarketErrors.transientFor("POST /order", new HttpReply(503, Map.of("retry-after", "2"), "")))
                .hasMessage("Polymarket POST /order answered HTTP 503")
                .satisfies(e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(2)));
    }
}

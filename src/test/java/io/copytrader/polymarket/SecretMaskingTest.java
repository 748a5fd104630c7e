package io.copytrader.polymarket;

import io.copytrader.domain.CopyIntent;
import io.copytrader.domain.Side;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.PlaceResult;
import io.copytrader.venue.PreparedOrder;
import io.copytrader.venue.VenueHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Builds adapters with known secret values, drives their errors, and looks for the secrets in every text. */
class SecretMaskingTest {
    /** Hardhat account 1: public test material standing in for a secret. */
    static final String PRIVATE_KEY = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    static final String API_KEY = "apikey-0f8e3c1d-must-not-leak";
    static final String API_SECRET = "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw==";
    static final String PASSPHRASE = "passphrase-7d2b-must-not-leak";
    static final List<String> SECRETS = List.of(PRIVATE_KEY, API_KEY, API_SECRET, PASSPHRASE);

    private final List<String> texts = new ArrayList<>();

    static Map<String, String> env(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of("VENUE", "polymarket",
                "TARGET_TRADERS", PolymarketConfigTest.TARGET, "POLY_PRIVATE_KEY", "0x" + PRIVATE_KEY,
                "POLY_API_KEY", API_KEY, "POLY_API_SECRET", API_SECRET, "POLY_PASSPHRASE", PASSPHRASE,
                "POLY_CLOB_URL", "http://127.0.0.1:9", "POLY_DATA_API_URL", "http://127.0.0.1:9"));
        env.putAll(overrides);
        env.values().removeIf(String::isEmpty);
        return env;
    }

    void collect(Executable failing) {
        Throwable t = assertThrows(Throwable.class, failing);
        for (Throwable c = t; c != null; c = c.getCause()) {
            texts.add(c.toString());
        }
    }

    @Test
    void shouldKeepEverySecretOutOfMessagesAndToStrings() {
        PolymarketConfig config = PolymarketConfig.from(env(Map.of())::get);
        texts.add(config.toString());
        texts.add(config.credentials().toString());

        // configuration errors that involve the secret values
        collect(() -> PolymarketConfig.from(env(Map.of("POLY_PRIVATE_KEY", PRIVATE_KEY + "00"))::get));
        collect(() -> PolymarketConfig.from(env(Map.of("POLY_FUNDER", "0x" + PRIVATE_KEY, "POLY_SIGNATURE_TYPE", "1"))::get));
        collect(() -> PolymarketConfig.from(env(Map.of("POLY_API_SECRET", API_SECRET.substring(1)))::get));
        collect(() -> PolymarketConfig.from(env(Map.of("POLY_SIGNATURE_TYPE", PASSPHRASE))::get));
        collect(() -> PolymarketConfig.from(env(Map.of("POLY_PASSPHRASE", ""))::get));

        // a venue that refuses everything and echoes what it got
        Map<String, HttpReply> replies = new HashMap<>();
        VenueHttpClient venue = call -> replies.getOrDefault(call.method() + " " + call.url().replaceFirst("\\?.*", ""),
                new HttpReply(400, Map.of(), "{\"error\":\"Unauthorized/Invalid api key " + API_KEY + "\"}"));
        replies.put("GET http://127.0.0.1:9/version", new HttpReply(200, Map.of(), "{\"version\":2}"));
        PolymarketExchangeAdapter exchange = PolymarketVenue.exchange(config, venue, Clock.fixed(
                PolymarketContractTest.NOW, ZoneOffset.UTC));
        CopyIntent buy = PolymarketContractTest.intent("t-secret", Side.BUY, "0.52", "10", "0.60");
        collect(() -> exchange.prepareOrder(buy)); // /book answers 400

        replies.put("GET http://127.0.0.1:9/book", new HttpReply(200, Map.of(),
                "{\"bids\":[],\"asks\":[{\"price\":\"0.5\",\"size\":\"100\"}],\"min_order_size\":\"1\"}"));
        replies.put("GET http://127.0.0.1:9/tick-size", new HttpReply(200, Map.of(), "{\"minimum_tick_size\":\"0.01\"}"));
        replies.put("GET http://127.0.0.1:9/neg-risk", new HttpReply(200, Map.of(), "{\"neg_risk\":false}"));
        PreparedOrder prepared = exchange.prepareOrder(buy);
        texts.add(prepared.toString());
        texts.add(prepared.call().toString());
        texts.add(exchange.balance().toString());
        texts.add(exchange.lookupOrder(buy, prepared.venueOrderId()).toString());
        texts.add(exchange.cancelOrder(buy, prepared.venueOrderId()).toString());
        collect(() -> exchange.onPlaceReply(buy, new HttpReply(503, Map.of(), "{\"error\":\"" + PASSPHRASE + "\"}")));
        collect(() -> exchange.onLookupReply(buy, new HttpReply(400, Map.of(), "not json")));
        collect(() -> exchange.onBalanceReply(new HttpReply(401, Map.of(), "{}")));
        PlaceResult rejected = exchange.onPlaceReply(buy, new HttpReply(401, Map.of(), "{\"error\":\"Unauthorized\"}"));
        texts.add(rejected.toString());
        // a venue error that echoes our key or passphrase back is redacted
        PlaceResult echoed = exchange.onPlaceReply(buy, new HttpReply(400, Map.of(),
                "{\"error\":\"Unauthorized/Invalid api key " + API_KEY + " / " + PASSPHRASE + "\"}"));
        assertThat(echoed.toString()).contains("Invalid api key ***");
        texts.add(echoed.toString());

        // L1 derivation that fails, or answers without a field, carrying the secret in its body
        PolymarketCredentials noApi = PolymarketCredentials.of(PRIVATE_KEY, null, null, null);
        texts.add(noApi.toString());
        collect(() -> PolymarketVenue.deriveApiCredentials(noApi, "http://127.0.0.1:9",
                call -> new HttpReply(200, Map.of(), "{\"apiKey\":\"" + API_KEY + "\",\"secret\":\"" + API_SECRET + "\"}"),
                Clock.systemUTC()));
        collect(() -> PolymarketVenue.deriveApiCredentials(noApi, "http://127.0.0.1:9",
                call -> new HttpReply(200, Map.of(), "{\"apiKey\":\"" + API_KEY + "\",\"secret\":\"" + API_SECRET),
                Clock.systemUTC()));
        collect(() -> PolymarketVenue.deriveApiCredentials(noApi, "http://127.0.0.1:9",
                call -> new HttpReply(403, Map.of(), "{\"error\":\"" + PASSPHRASE + "\"}"), Clock.systemUTC()));
        collect(() -> noApi.apiSecret());
        collect(() -> PolymarketAuth.hmac("%%" + API_SECRET.substring(1), 1, "GET", "/", null));

        assertThat(texts).hasSizeGreaterThan(15);
        for (String text : texts) {
            for (String secret : SECRETS) {
                assertThat(text).as("a text the adapters produced").doesNotContainIgnoringCase(secret);
            }
        }
    }

    @Test
    void shouldSayWhichCredentialsAreSetWithoutTheirValues() {
        assertThat(PolymarketCredentials.of(PRIVATE_KEY, API_KEY, API_SECRET, PASSPHRASE).toString())
                .contains("privateKey=***", "apiKey=***", "apiSecret=***", "passphrase=***");
        assertThat(PolymarketCredentials.of(PRIVATE_KEY, null, null, null).toString())
                .contains("privateKey=***", "apiKey=unset", "apiSecret=unset", "passphrase=unset");
    }

    @Test
    void shouldRedactSecretsFromFourCharactersUpButNotSingleLetters() {
        PolymarketCredentials short4 = PolymarketCredentials.of(PRIVATE_KEY, "k", API_SECRET, "abcd");
        // a one-letter value would blank every such letter of the venue's message; four characters are redacted
        assertThat(short4.redact("bad key k, passphrase abcd")).isEqualTo("bad key k, passphrase ***");
    }

    @Test
    void shouldNotPrintHeadersOrBodiesOfCalls() {
        HttpCall call = new HttpCall("POST", "http://x/order", Map.of("POLY_PASSPHRASE", PASSPHRASE), API_KEY);
        assertThat(call.toString()).isEqualTo("POST http://x/order");
    }
}

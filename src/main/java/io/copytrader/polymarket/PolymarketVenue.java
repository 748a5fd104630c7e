package io.copytrader.polymarket;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.TransientVenueException;
import io.copytrader.venue.VenueHttpClient;

import java.io.IOException;
import java.time.Clock;

/**
 * Builds the Polymarket adapters from a {@link PolymarketConfig}. No Camel here: the application wires the results.
 *
 * <ul>
 *   <li>{@link #feed}: the Data API activity feed; needs no secret, so it also serves the dry run
 *       ({@code EXCHANGE=paper}: live Polymarket feed, paper exchange).</li>
 *   <li>{@link #exchange}: the CLOB V2 exchange. At start it derives the API credentials through L1 when they were
 *       not configured ({@code GET /auth/derive-api-key}, else {@code POST /auth/api-key}) and checks
 *       {@code GET /version}.</li>
 * </ul>
 */
public final class PolymarketVenue {
    static final long POLYGON_CHAIN_ID = 137;

    private PolymarketVenue() {
    }

    public static PolymarketFeedAdapter feed(PolymarketConfig config, Clock clock) {
        return new PolymarketFeedAdapter(config.dataApiUrl(), config.feedPageSize(), config.feedOverlap(),
                config.feedLookback(), clock, config.feedApi());
    }

    /**
     * @throws IllegalStateException in a dry run, when L1 derivation fails, or when the CLOB wants an order version
     *                               this adapter cannot sign
     */
    public static PolymarketExchangeAdapter exchange(PolymarketConfig config, VenueHttpClient http, Clock clock) {
        if (config.dryRun()) {
            throw new IllegalStateException("EXCHANGE=paper is a dry run: orders go to the paper exchange, not Polymarket");
        }
        ClobClock signing = ClobClock.start(clock, config.clobUrl(), http);
        PolymarketCredentials creds = config.credentials();
        if (!creds.hasApiCredentials()) {
            creds = deriveApiCredentials(creds, config.clobUrl(), http, signing);
        }
        PolymarketExchangeAdapter adapter = new PolymarketExchangeAdapter(config, creds, http, signing);
        adapter.checkVersion();
        return adapter;
    }

    /** L1: derive the API key of this signer (nonce 0), or create one when none exists. */
    static PolymarketCredentials deriveApiCredentials(PolymarketCredentials creds, String clobUrl, VenueHttpClient http,
                                                      Clock clock) {
        HttpReply derived = l1(creds, "GET", clobUrl + "/auth/derive-api-key", http, clock);
        if (!derived.isSuccess()) {
            derived = l1(creds, "POST", clobUrl + "/auth/api-key", http, clock);
        }
        if (!derived.isSuccess()) {
            throw new IllegalStateException("Polymarket L1: could not derive or create an API key for signer "
                    + creds.signerAddress() + " (HTTP " + derived.status() + ")");
        }
        // the body holds the new secret: it is never echoed, not even in an error
        JsonNode body;
        try {
            body = Json.read("CLOB L1 API key", derived.body());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Polymarket L1: the API key answer is not JSON");
        }
        PolymarketCredentials withApi = creds.withApiCredentials(Json.text(body, "apiKey"), Json.text(body, "secret"),
                Json.text(body, "passphrase"));
        if (!withApi.hasApiCredentials()) {
            throw new IllegalStateException("Polymarket L1: the API key answer lacks apiKey, secret or passphrase");
        }
        return withApi;
    }

    private static HttpReply l1(PolymarketCredentials creds, String method, String url, VenueHttpClient http, Clock clock) {
        HttpCall call = new HttpCall(method, url,
                PolymarketAuth.l1Headers(creds, POLYGON_CHAIN_ID, clock.instant().getEpochSecond(), 0), null);
        try {
            HttpReply reply = http.execute(call);
            if (PolymarketErrors.isTransientStatus(reply.status())) {
                throw PolymarketErrors.transientFor(method + " " + call.url(), reply);
            }
            return reply;
        } catch (IOException e) {
            throw new TransientVenueException("Polymarket L1 " + call + " failed: " + e.getClass().getSimpleName(), 0, null);
        }
    }
}

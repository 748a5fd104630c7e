package io.copytrader.polymarket;

import io.copytrader.domain.Reason;
import io.copytrader.venue.HttpCall;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.OrderDeniedException;
import io.copytrader.venue.TransientVenueException;
import io.copytrader.venue.VenueHttpClient;

import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The adapter's own side of the CLOB's HTTP: L2-signed requests, and the rate-limited execution of the calls the
 * adapter makes itself (market data, balances, the look-up before signing again). Orders are sent by the engine.
 */
final class ClobClient {
    private final PolymarketConfig config;
    private final PolymarketCredentials creds;
    private final VenueHttpClient http;
    private final Clock clock;
    private final ClobRateLimits limits;

    ClobClient(PolymarketConfig config, PolymarketCredentials creds, VenueHttpClient http, Clock clock,
               ClobRateLimits limits) {
        this.config = config;
        this.creds = creds;
        this.http = http;
        this.clock = clock;
        this.limits = limits;
    }

    PolymarketConfig config() {
        return config;
    }

    ClobRateLimits limits() {
        return limits;
    }

    /** An unauthenticated GET of the CLOB. */
    HttpCall get(String pathAndQuery) {
        return HttpCall.get(config.clobUrl() + pathAndQuery);
    }

    /** An L2-signed call: the HMAC covers the path without the query, and the exact body. */
    HttpCall l2(String method, String path, String query, String body) {
        Map<String, String> headers = new LinkedHashMap<>(
                PolymarketAuth.l2Headers(creds, clock.instant().getEpochSecond(), method, path, body));
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        return new HttpCall(method, config.clobUrl() + path + query, headers, body);
    }

    /** Executes a metadata or balance call before anything is sent: failures here are safe to retry. */
    HttpReply fetch(ClobRateLimits.Bucket bucket, String what, HttpCall call) {
        limits.acquire(bucket, what);
        HttpReply reply;
        try {
            reply = http.execute(call);
        } catch (IOException e) {
            throw new TransientVenueException(what + " failed: " + e.getClass().getSimpleName(), 0, null);
        }
        limits.onReply(bucket, reply);
        if (PolymarketErrors.isTransientStatus(reply.status())) {
            throw PolymarketErrors.transientFor(what, reply);
        }
        if (reply.status() == 404) {
            throw new OrderDeniedException(Reason.EXCHANGE_INVALID_ORDER, what + ": not found (no market for this token)");
        }
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException(what + " answered HTTP " + reply.status());
        }
        return reply;
    }

    /** Executes a call within its bucket's rate limit; the answer's rate-limit signals slow the bucket. */
    HttpReply execute(ClobRateLimits.Bucket bucket, String what, HttpCall call) throws IOException {
        limits.acquire(bucket, what);
        HttpReply reply = http.execute(call);
        limits.onReply(bucket, reply);
        return reply;
    }
}

package io.copytrader.venue;

import java.util.Map;
import java.util.Objects;

/**
 * An HTTP request a venue adapter wants made. Adapters build these; the engine executes them (camel-http on the
 * order path, {@link VenueHttpClient} elsewhere), so adapters stay pure and testable without a network.
 *
 * @param headers extra headers (auth, content type); values may be secret: never log them
 * @param body    request body or null
 */
public record HttpCall(String method, String url, Map<String, String> headers, String body) {
    public HttpCall {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public static HttpCall get(String url) {
        return new HttpCall("GET", url, Map.of(), null);
    }

    public static HttpCall postJson(String url, String json) {
        return new HttpCall("POST", url, Map.of("Content-Type", "application/json"), json);
    }

    /** Method and URL only: headers may hold secrets. */
    @Override
    public String toString() {
        return method + " " + url;
    }
}

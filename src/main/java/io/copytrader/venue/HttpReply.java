package io.copytrader.venue;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** An HTTP answer handed back to a venue adapter. Header names are lower case. */
public record HttpReply(int status, Map<String, String> headers, String body) {
    public HttpReply {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        body = body == null ? "" : body;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The Retry-After header in delta-seconds; null when absent, negative, or an HTTP date (then the engine's own
     * backoff decides).
     */
    public Duration retryAfter() {
        String value = header("Retry-After");
        if (value == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }
}

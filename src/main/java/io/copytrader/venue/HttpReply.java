package io.copytrader.venue;

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

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }
}

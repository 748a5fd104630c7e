package io.copytrader.paper;

import com.fasterxml.jackson.databind.JsonNode;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.TransientVenueException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** How the paper venue's clients read its answers: one classification of statuses for every caller. */
final class PaperReplies {
    private static final int MAX_BODY_IN_MESSAGE = 200;

    private PaperReplies() {
    }

    /** 5xx, 425 and 429 mean "try again": a {@link TransientVenueException} carrying Retry-After. */
    static void throwIfTransient(HttpReply reply, String what) {
        int status = reply.status();
        if (status >= 500 || status == 425 || status == 429) {
            throw new TransientVenueException(what + " answered " + status + ": " + abbreviate(reply.body()), status,
                    reply.retryAfter());
        }
    }

    /** The body of a 2xx answer; transient statuses throw as above, anything else is an IllegalArgumentException. */
    static JsonNode success(HttpReply reply, String what) {
        throwIfTransient(reply, what);
        if (!reply.isSuccess()) {
            throw new IllegalArgumentException(what + " answered " + reply.status() + ": " + abbreviate(reply.body()));
        }
        return PaperJson.tree(reply.body(), what + " answer");
    }

    /** The {@code error} code of an error body; the body must be readable JSON. */
    static String errorCode(HttpReply reply, String what) {
        JsonNode body = PaperJson.tree(reply.body(), what + " answer");
        JsonNode error = body.get("error");
        if (error == null || !error.isTextual()) {
            throw new IllegalArgumentException(what + " answered " + reply.status() + " without an error code: "
                    + abbreviate(reply.body()));
        }
        return error.asText();
    }

    /** The error body's message, or the code when it has none. */
    static String errorMessage(HttpReply reply, String code) {
        JsonNode message = PaperJson.tree(reply.body(), "error").get("message");
        return message != null && message.isTextual() ? message.asText() : code;
    }


    /** Encodes an id for a URL path segment or query value. */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String trimBaseUrl(String baseUrl) {
        if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
            throw new IllegalArgumentException("paper venue base URL must start with http:// or https://, but was " + baseUrl);
        }
        return baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    private static String abbreviate(String body) {
        return body.length() <= MAX_BODY_IN_MESSAGE ? body : body.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }
}

package io.copytrader.venue;

import java.io.IOException;

/**
 * Executes an {@link HttpCall} for background work (lookups, balance, positions, venue metadata). The order path
 * does not use it: orders go through the place-order route and camel-http.
 */
public interface VenueHttpClient {
    /**
     * @throws IOException on a transport failure (connect, reset, timeout): the caller decides whether that is
     *                     retryable
     */
    HttpReply execute(HttpCall call) throws IOException;
}

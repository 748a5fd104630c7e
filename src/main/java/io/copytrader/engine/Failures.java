package io.copytrader.engine;

import io.copytrader.venue.TransientVenueException;
import org.apache.hc.client5.http.ConnectTimeoutException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * Classifies an exchange failure by whether the order could have reached the venue (DESIGN section 6).
 * Before sending (connect refused or timed out, unknown host) or a "try again" answer: safe to retry. After
 * sending (read timeout, connection reset or closed while waiting): the outcome is unknown, and the order is looked
 * up by client order id, never sent again.
 */
public final class Failures {
    private Failures() {
    }

    /** The innermost cause of a known kind, unwrapping Camel's wrappers. */
    public static Throwable rootOf(Throwable t) {
        Throwable cur = t;
        for (int i = 0; cur != null && i < 10; i++) {
            if (cur instanceof IOException || cur instanceof TransientVenueException) {
                return cur;
            }
            if (cur.getCause() == null || cur.getCause() == cur) {
                return cur;
            }
            cur = cur.getCause();
        }
        return t;
    }

    /** Nothing reached the venue, or the venue said try again. */
    public static boolean isRetryable(Throwable t) {
        Throwable c = rootOf(t);
        return c instanceof TransientVenueException
                || c instanceof ConnectException
                || c instanceof ConnectTimeoutException
                || c instanceof UnknownHostException
                || c instanceof NoRouteToHostException;
    }

    /** The request may have reached the venue, and no answer came back. */
    public static boolean isUnknownOutcome(Throwable t) {
        Throwable c = rootOf(t);
        return c instanceof IOException && !isRetryable(c);
    }
}

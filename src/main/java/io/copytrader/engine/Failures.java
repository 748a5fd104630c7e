package io.copytrader.engine;

import io.copytrader.store.StoreException;
import io.copytrader.venue.OutcomeUnknownException;
import io.copytrader.venue.TransientVenueException;
import org.apache.hc.client5.http.ConnectTimeoutException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * Classifies an exchange failure (DESIGN section 6, docs/failure-semantics.md) by whether the order could have
 * reached the venue, and whether it is the venue's failure at all. Before sending (connect refused or timed out,
 * unknown host) or a "try again" answer: safe to retry. After sending (read timeout, connection reset or closed
 * while waiting): the outcome is unknown, and the order is looked up by client order id, never sent again.
 * Anything else (a bug, a bad market, a store error, an answer we could not read) is not the venue's failure: it
 * fails its own trade and never counts toward the circuit breaker.
 */
public final class Failures {
    /** What a failure means for the order and for the breaker. */
    public enum Kind {
        /** Nothing reached the venue, or it said try again: retried with backoff; a venue failure once retries run out. */
        RETRYABLE,
        /** The request may have reached the venue and no answer came: looked up, never resent; a venue failure. */
        UNKNOWN_OUTCOME,
        /** Not the venue's doing: fails its own trade, never counts toward the breaker. */
        NOT_VENUE
    }

    private Failures() {
    }

    /**
     * The innermost cause of a known kind, unwrapping Camel's wrappers. A store's failure is one: the I/O error inside
     * it (a dropped PostgreSQL connection) is the store's, never an unanswered request to the venue.
     */
    public static Throwable rootOf(Throwable t) {
        Throwable cur = t;
        for (int i = 0; cur != null && i < 10; i++) {
            if (cur instanceof IOException || cur instanceof TransientVenueException
                    || cur instanceof OutcomeUnknownException || cur instanceof StoreException) {
                return cur;
            }
            if (cur.getCause() == null || cur.getCause() == cur) {
                return cur;
            }
            cur = cur.getCause();
        }
        return t;
    }

    public static Kind classify(Throwable t) {
        Throwable c = rootOf(t);
        if (c instanceof TransientVenueException
                || c instanceof ConnectException
                || c instanceof ConnectTimeoutException
                || c instanceof UnknownHostException
                || c instanceof NoRouteToHostException) {
            return Kind.RETRYABLE;
        }
        if (c instanceof IOException || c instanceof OutcomeUnknownException) {
            return Kind.UNKNOWN_OUTCOME;
        }
        return Kind.NOT_VENUE;
    }

    /** Nothing reached the venue, or the venue said try again. */
    public static boolean isRetryable(Throwable t) {
        return classify(t) == Kind.RETRYABLE;
    }

    /** The request may have reached the venue, and no answer came back. */
    public static boolean isUnknownOutcome(Throwable t) {
        return classify(t) == Kind.UNKNOWN_OUTCOME;
    }

    /**
     * The circuit breaker's record predicate: a venue failure not yet counted. A failure the engine handled already
     * ({@link OrderFailedException}, counted or not by {@link OrderBreaker}) is not counted again.
     */
    public static boolean countsTowardBreaker(Throwable t) {
        return handled(t) == null && classify(t) != Kind.NOT_VENUE;
    }

    /** The {@link OrderFailedException} in the cause chain, or null. */
    public static OrderFailedException handled(Throwable t) {
        Throwable cur = t;
        for (int i = 0; cur != null && i < 10; i++) {
            if (cur instanceof OrderFailedException handled) {
                return handled;
            }
            cur = cur.getCause() == cur ? null : cur.getCause();
        }
        return null;
    }
}

package io.copytrader.polymarket;

import io.copytrader.domain.Reason;
import io.copytrader.venue.HttpReply;
import io.copytrader.venue.TransientVenueException;

import java.util.List;
import java.util.Locale;

/**
 * Classifies a CLOB error answer by its status and documented message (contract 2.5) into the classes of DESIGN
 * section 6. Matching is by case-insensitive substring of the documented texts, in table order, first match wins.
 */
public final class PolymarketErrors {
    /** What to do with an error answer. */
    public enum Kind {
        /** 425, 429, 5xx: nothing was done; retry with backoff, honouring Retry-After. */
        TRANSIENT,
        /** The venue refused this order for good; no retry, the breaker does not count it. */
        REJECT,
        /** Signed for the wrong CLOB version: re-resolve {@code GET /version} once. */
        VERSION_MISMATCH,
        /** Taken, but matching was delayed: the order exists; monitoring resolves it by lookup. */
        DELAYED
    }

    /** @param reason the Reason for a REJECT (EXCHANGE_INVALID_ORDER for a VERSION_MISMATCH that stays), else null */
    public record Classified(Kind kind, Reason reason) {
    }

    private record Rule(String text, Kind kind, Reason reason) {
    }

    /** Message rules, checked before the status rules (a 503 "cancel-only" is still transient below). */
    private static final List<Rule> RULES = List.of(
            new Rule("order_version_mismatch", Kind.VERSION_MISMATCH, Reason.EXCHANGE_INVALID_ORDER),
            new Rule("not enough balance / allowance", Kind.REJECT, Reason.EXCHANGE_INSUFFICIENT_BALANCE),
            new Rule("INVALID_ORDER_NOT_ENOUGH_BALANCE", Kind.REJECT, Reason.EXCHANGE_INSUFFICIENT_BALANCE),
            new Rule("FOK orders are fully filled or killed", Kind.REJECT, Reason.EXCHANGE_NOT_FILLED),
            new Rule("couldn't be fully filled", Kind.REJECT, Reason.EXCHANGE_NOT_FILLED),
            new Rule("no orders found to match with FAK order", Kind.REJECT, Reason.EXCHANGE_NOT_FILLED),
            new Rule("FOK_ORDER_NOT_FILLED_ERROR", Kind.REJECT, Reason.EXCHANGE_NOT_FILLED),
            new Rule("Duplicated", Kind.REJECT, Reason.EXCHANGE_DUPLICATE_ORDER),
            new Rule("order match delayed", Kind.DELAYED, null),
            new Rule("ORDER_DELAYED", Kind.DELAYED, null),
            new Rule("has to be the owner of the API KEY", Kind.REJECT, Reason.EXCHANGE_AUTH_FAILED),
            new Rule("has to be the address of the API KEY", Kind.REJECT, Reason.EXCHANGE_AUTH_FAILED),
            new Rule("Invalid api key", Kind.REJECT, Reason.EXCHANGE_AUTH_FAILED),
            new Rule("Unauthorized", Kind.REJECT, Reason.EXCHANGE_AUTH_FAILED),
            new Rule("address banned", Kind.REJECT, Reason.EXCHANGE_AUTH_FAILED),
            new Rule("closed only mode", Kind.REJECT, Reason.EXCHANGE_AUTH_FAILED),
            new Rule("breaks minimum tick size", Kind.REJECT, Reason.EXCHANGE_INVALID_ORDER),
            new Rule("lower than the minimum", Kind.REJECT, Reason.EXCHANGE_INVALID_ORDER),
            new Rule("invalid post-only order", Kind.REJECT, Reason.EXCHANGE_INVALID_ORDER),
            new Rule("invalid nonce", Kind.REJECT, Reason.EXCHANGE_INVALID_ORDER),
            new Rule("invalid expiration", Kind.REJECT, Reason.EXCHANGE_INVALID_ORDER),
            new Rule("market is not yet ready", Kind.REJECT, Reason.EXCHANGE_INVALID_ORDER),
            new Rule("MARKET_NOT_READY", Kind.REJECT, Reason.EXCHANGE_INVALID_ORDER));

    private PolymarketErrors() {
    }

    /** Classifies an error answer (not 2xx, or 2xx with {@code success:false} or a non-empty errorMsg). */
    public static Classified classify(int status, String message) {
        if (status == 425 || status == 429 || status >= 500) {
            // 503 "Trading is currently disabled" / "cancel-only", 425 engine restart: nothing was done
            return new Classified(Kind.TRANSIENT, null);
        }
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        for (Rule rule : RULES) {
            if (m.contains(rule.text().toLowerCase(Locale.ROOT))) {
                return new Classified(rule.kind(), rule.reason());
            }
        }
        if (status == 401 || status == 403) {
            return new Classified(Kind.REJECT, Reason.EXCHANGE_AUTH_FAILED);
        }
        // any other refusal of this order (400, 404 "not found", unknown text): invalid, never retried
        return new Classified(Kind.REJECT, Reason.EXCHANGE_INVALID_ORDER);
    }

    /** The transient exception for a 425/429/5xx reply, with Retry-After (seconds) when given. */
    static TransientVenueException transientFor(String what, HttpReply reply) {
        return new TransientVenueException("Polymarket " + what + " answered HTTP " + reply.status()
                + (reply.status() == 425 ? " (matching engine restarting)" : ""), reply.status(), reply.retryAfter());
    }


    static boolean isTransientStatus(int status) {
        return status == 425 || status == 429 || status >= 500;
    }
}

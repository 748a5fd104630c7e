package io.copytrader.domain;

/**
 * Why a trade did not end COPIED, one enum for the whole pipeline, prefixed by the stage that decided. Reused as
 * metric tag values and dead-letter reasons.
 */
public enum Reason {
    /** A feed row we could not read (bad JSON, missing field, impossible size or price). */
    FEED_MALFORMED_ROW,
    FILTER_BELOW_MIN_SIZE,
    FILTER_STALE,
    /**
     * The trade is dated further ahead of this engine's clock, when it was read, than a fill can be (FeedClock): its
     * time is wrong (the venue's, a proxy's, or this machine's clock), so its age cannot be judged. Never copied.
     */
    FILTER_DATED_AHEAD,
    /** The target's trade is in a market its allow list leaves out or its deny list names. */
    FILTER_MARKET_NOT_ALLOWED,
    /** The queue was full; this, the oldest waiting trade, made room for a newer one. */
    QUEUE_OVERFLOW,
    /** On a Kafka copy queue (which never drops): the trade waited there past the maximum trade age. */
    QUEUE_STALE,
    /** Copy ratio and caps left nothing worth placing. */
    SIZING_TOO_SMALL,
    /** A sell of something we do not hold. */
    RISK_NOTHING_TO_SELL,
    RISK_MAX_POSITION,
    RISK_MAX_EXPOSURE,
    EXCHANGE_INSUFFICIENT_BALANCE,
    EXCHANGE_INVALID_ORDER,
    EXCHANGE_DUPLICATE_ORDER,
    /**
     * The venue refused our credentials or account (invalid API key, key not matching the signer or owner, banned
     * address, closed-only mode): every order will fail the same way until the configuration is fixed.
     */
    EXCHANGE_AUTH_FAILED,
    /** A fill-or-kill order found no liquidity at our limit. */
    EXCHANGE_NOT_FILLED,
    /** Transient errors outlasted the retries. */
    EXCHANGE_RETRIES_EXHAUSTED,
    EXCHANGE_CIRCUIT_OPEN,
    /** The venue never answered after the order was sent; resolved by lookup, never by sending again. */
    EXCHANGE_UNKNOWN_OUTCOME,
    SHUTDOWN_ABANDONED,
    /** A reorg took the target's fill out of the chain before an order was sent (chain detection). */
    CHAIN_REORGED,
    /** Found not terminal after a restart, and too old to copy. */
    RESTART_EXPIRED,
    UNEXPECTED_ERROR
}

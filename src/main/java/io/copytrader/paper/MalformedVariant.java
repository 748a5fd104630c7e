package io.copytrader.paper;

/** How a MALFORMED_ROW fault spoils a feed row. */
public enum MalformedVariant {
    /**
     * The row is a JSON string holding truncated fill JSON (bad JSON text). A raw broken fragment would make the whole
     * page unparseable, which is the envelope failing, not a row; this variant keeps the page readable.
     */
    BAD_JSON,
    /** The row lacks its {@code price} field. */
    MISSING_FIELD,
    ZERO_QUANTITY,
    NEGATIVE_QUANTITY,
    /** quantity 1e12, far above any plausible size. */
    ABSURD_QUANTITY,
    /** price 1.5, outside (0, 1). */
    PRICE_OUT_OF_RANGE
}

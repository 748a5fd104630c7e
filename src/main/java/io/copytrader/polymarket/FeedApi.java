package io.copytrader.polymarket;

import java.util.Locale;

/**
 * Which Data API route the feed reads a target's fills from (docs/polymarket-feed.md). {@link #V1}: {@code GET
 * /activity}, offset paging over a sweep and a head; {@link #V2}: {@code GET /v2/activity}, the keyset cursor. Both
 * give a fill the same dedup id, and each reads the other's stored cursor, so switching never skips or doubles a fill.
 */
public enum FeedApi {
    V1, V2;

    /** @throws IllegalArgumentException naming the setting and the allowed values */
    static FeedApi parse(String text) {
        String v = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "v1" -> V1;
            case "v2" -> V2;
            default -> throw new IllegalArgumentException("POLY_FEED_API must be v1 (GET /activity) or v2 (GET "
                    + "/v2/activity), but was '" + (v.length() <= 20 ? v : v.substring(0, 20) + "...") + "'");
        };
    }
}

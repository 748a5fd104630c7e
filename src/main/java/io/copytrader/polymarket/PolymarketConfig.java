package io.copytrader.polymarket;

import io.copytrader.domain.TraderId;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Everything the Polymarket venue needs, read once and validated eagerly. Each setting is looked up by its property
 * key first ({@code copytrader.polymarket.*}), then by the environment variable users know ({@code POLY_*}).
 * Invalid values stop startup with one message listing every problem, naming the variable and the allowed values;
 * a secret's value is never echoed.
 *
 * <table>
 *   <tr><th>property</th><th>env</th><th>default</th></tr>
 *   <tr><td>copytrader.venue</td><td>VENUE</td><td>must be polymarket</td></tr>
 *   <tr><td>copytrader.exchange</td><td>EXCHANGE</td><td>polymarket; paper = dry run (live feed, paper exchange)</td></tr>
 *   <tr><td>copytrader.feed.traders</td><td>TARGET_TRADERS</td><td>required: comma-separated 0x proxy wallets</td></tr>
 *   <tr><td>copytrader.polymarket.private-key</td><td>POLY_PRIVATE_KEY</td><td>required unless dry run</td></tr>
 *   <tr><td>copytrader.polymarket.api-key / api-secret / passphrase</td><td>POLY_API_KEY / POLY_API_SECRET /
 *       POLY_PASSPHRASE</td><td>all three, or none (derived through L1 at start)</td></tr>
 *   <tr><td>copytrader.polymarket.funder</td><td>POLY_FUNDER</td><td>the wallet holding funds; required for
 *       signature types 1 and 2; for 0 it is the signer</td></tr>
 *   <tr><td>copytrader.polymarket.signature-type</td><td>POLY_SIGNATURE_TYPE</td><td>0 (EOA), 1 (POLY_PROXY),
 *       2 (POLY_GNOSIS_SAFE); default 0</td></tr>
 *   <tr><td>copytrader.polymarket.clob-url</td><td>POLY_CLOB_URL</td><td>https://clob.polymarket.com</td></tr>
 *   <tr><td>copytrader.polymarket.data-api-url</td><td>POLY_DATA_API_URL</td><td>https://data-api.polymarket.com</td></tr>
 *   <tr><td>copytrader.polymarket.order-type</td><td>POLY_ORDER_TYPE</td><td>FOK or FAK; default FOK</td></tr>
 *   <tr><td>copytrader.copy.max-slippage</td><td>MAX_SLIPPAGE</td><td>the engine's one slippage setting: fraction
 *       of the target's price in [0, 0.5]; default 0.02</td></tr>
 *   <tr><td>copytrader.polymarket.metadata-ttl-seconds</td><td>POLY_METADATA_TTL_SECONDS</td><td>tick size and
 *       neg-risk cache, [0, 86400]; default 300</td></tr>
 *   <tr><td>copytrader.polymarket.feed-page-size</td><td>POLY_FEED_PAGE_SIZE</td><td>[1, 500]; default 500</td></tr>
 *   <tr><td>copytrader.polymarket.feed-overlap-seconds</td><td>POLY_FEED_OVERLAP_SECONDS</td><td>[0, 3600];
 *       default 60</td></tr>
 *   <tr><td>copytrader.polymarket.feed-lookback-seconds</td><td>POLY_FEED_LOOKBACK_SECONDS</td><td>first poll
 *       without a cursor starts this far back, 0 = from the venue's beginning; default 0</td></tr>
 *   <tr><td>copytrader.polymarket.feed-api</td><td>POLY_FEED_API</td><td>v1 ({@code GET /activity}, offset
 *       paging) or v2 ({@code GET /v2/activity}, keyset cursor); default v1, the one run against the live Data API
 *       (docs/polymarket-feed.md)</td></tr>
 * </table>
 *
 * @param credentials null in a dry run without a key; its toString masks every secret
 * @param funder      the order maker: POLY_FUNDER, or the signer address for signature type 0
 */
public record PolymarketConfig(boolean dryRun, List<TraderId> targetTraders, PolymarketCredentials credentials,
                               String funder, SignatureType signatureType, String clobUrl, String dataApiUrl,
                               String orderType, BigDecimal maxSlippage, Duration metadataTtl, int feedPageSize,
                               Duration feedOverlap, Duration feedLookback, FeedApi feedApi) {
    public PolymarketConfig {
        targetTraders = List.copyOf(targetTraders);
    }

    /** @throws IllegalArgumentException listing every invalid setting */
    public static PolymarketConfig from(Function<String, String> lookup) {
        Reader r = new Reader(lookup);
        String venue = r.get("copytrader.venue", "VENUE", "polymarket");
        if (!venue.equalsIgnoreCase("polymarket")) {
            r.fail("VENUE must be polymarket for the Polymarket venue, but was '" + venue + "'");
        }
        String exchange = r.get("copytrader.exchange", "EXCHANGE", "polymarket").toLowerCase(Locale.ROOT);
        boolean dryRun = exchange.equals("paper");
        if (!dryRun && !exchange.equals("polymarket")) {
            r.fail("EXCHANGE must be polymarket or paper (dry run: live feed, paper exchange), but was '" + exchange + "'");
        }
        List<TraderId> targets = r.targets();
        SignatureType signatureType = r.signatureType();
        PolymarketCredentials credentials = r.credentials(dryRun);
        String funder = r.funder(signatureType, credentials, dryRun);
        String clobUrl = r.url("copytrader.polymarket.clob-url", "POLY_CLOB_URL", "https://clob.polymarket.com");
        String dataApiUrl = r.url("copytrader.polymarket.data-api-url", "POLY_DATA_API_URL", "https://data-api.polymarket.com");
        String orderType = r.get("copytrader.polymarket.order-type", "POLY_ORDER_TYPE", "FOK").toUpperCase(Locale.ROOT);
        if (!orderType.equals("FOK") && !orderType.equals("FAK")) {
            r.fail("POLY_ORDER_TYPE must be FOK or FAK (marketable orders never rest), but was '" + orderType + "'");
        }
        // one slippage setting for the whole engine: the copy's limit price and the order's price cap agree
        BigDecimal slippage = r.decimal("copytrader.copy.max-slippage", "MAX_SLIPPAGE", "0.02",
                BigDecimal.ZERO, new BigDecimal("0.5"));
        long ttl = r.integer("copytrader.polymarket.metadata-ttl-seconds", "POLY_METADATA_TTL_SECONDS", 300, 0, 86_400);
        long pageSize = r.integer("copytrader.polymarket.feed-page-size", "POLY_FEED_PAGE_SIZE", 500, 1, 500);
        long overlap = r.integer("copytrader.polymarket.feed-overlap-seconds", "POLY_FEED_OVERLAP_SECONDS", 60, 0, 3600);
        long lookback = r.integer("copytrader.polymarket.feed-lookback-seconds", "POLY_FEED_LOOKBACK_SECONDS", 0, 0,
                10L * 365 * 86_400);
        FeedApi feedApi = FeedApi.V1;
        String api = r.get("copytrader.polymarket.feed-api", "POLY_FEED_API", "v1");
        try {
            feedApi = FeedApi.parse(api);
        } catch (IllegalArgumentException e) {
            r.fail(e.getMessage());
        }
        r.throwIfFailed();
        return new PolymarketConfig(dryRun, targets, credentials, funder, signatureType, clobUrl, dataApiUrl, orderType,
                slippage, Duration.ofSeconds(ttl), (int) pageSize, Duration.ofSeconds(overlap), Duration.ofSeconds(lookback),
                feedApi);
    }

    /** Reads and validates, collecting every problem so one start reports them all. */
    private static final class Reader {
        private final Function<String, String> lookup;
        private final List<String> problems = new ArrayList<>();

        Reader(Function<String, String> lookup) {
            this.lookup = lookup;
        }

        String raw(String key, String env) {
            String v = lookup.apply(key);
            if (v == null || v.isBlank()) {
                v = lookup.apply(env);
            }
            return v == null || v.isBlank() ? null : v.trim();
        }

        String get(String key, String env, String fallback) {
            String v = raw(key, env);
            return v == null ? fallback : v;
        }

        void fail(String problem) {
            problems.add(problem);
        }

        void throwIfFailed() {
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid Polymarket configuration: " + String.join("; ", problems));
            }
        }

        List<TraderId> targets() {
            String v = raw("copytrader.feed.traders", "TARGET_TRADERS");
            List<TraderId> out = new ArrayList<>();
            if (v == null) {
                fail("TARGET_TRADERS must list at least one 0x wallet address (comma-separated), but was empty");
                return out;
            }
            for (String part : v.split(",")) {
                String t = part.trim();
                if (!t.matches("0x[0-9a-fA-F]{40}")) {
                    fail("TARGET_TRADERS entries must be 0x and 40 hex digits, but one was '"
                            + (t.length() <= 50 ? t : t.substring(0, 12) + "...") + "'");
                } else {
                    out.add(new TraderId(t.toLowerCase(Locale.ROOT)));
                }
            }
            return out;
        }

        SignatureType signatureType() {
            try {
                return SignatureType.parse(get("copytrader.polymarket.signature-type", "POLY_SIGNATURE_TYPE", "0"));
            } catch (IllegalArgumentException e) {
                fail(e.getMessage());
                return SignatureType.EOA;
            }
        }

        PolymarketCredentials credentials(boolean dryRun) {
            String key = raw("copytrader.polymarket.private-key", "POLY_PRIVATE_KEY");
            String apiKey = raw("copytrader.polymarket.api-key", "POLY_API_KEY");
            String secret = raw("copytrader.polymarket.api-secret", "POLY_API_SECRET");
            String passphrase = raw("copytrader.polymarket.passphrase", "POLY_PASSPHRASE");
            int given = (apiKey == null ? 0 : 1) + (secret == null ? 0 : 1) + (passphrase == null ? 0 : 1);
            if (given != 0 && given != 3) {
                fail("POLY_API_KEY, POLY_API_SECRET and POLY_PASSPHRASE must be set together, or all left empty to "
                        + "derive them through L1; " + given + " of 3 were set");
            }
            if (secret != null) {
                try {
                    PolymarketAuth.decodeSecret(secret);
                } catch (IllegalArgumentException e) {
                    fail(e.getMessage());
                }
            }
            if (key == null) {
                if (!dryRun) {
                    fail("POLY_PRIVATE_KEY is required with EXCHANGE=polymarket (set EXCHANGE=paper for a dry run)");
                }
                return null;
            }
            try {
                return PolymarketCredentials.of(key, apiKey, secret, passphrase);
            } catch (IllegalArgumentException e) {
                fail(e.getMessage()); // says the length, never the value
                return null;
            }
        }

        String funder(SignatureType type, PolymarketCredentials credentials, boolean dryRun) {
            String v = raw("copytrader.polymarket.funder", "POLY_FUNDER");
            if (v != null && !v.matches("0x[0-9a-fA-F]{40}")) {
                fail("POLY_FUNDER must be a 0x wallet address (40 hex digits), but was " + v.length()
                        + " characters (value not shown)");
                return null;
            }
            if (type == SignatureType.EOA) {
                String signer = credentials == null ? null : credentials.signerAddress();
                if (v != null && signer != null && !v.equalsIgnoreCase(signer)) {
                    fail("POLY_FUNDER must be empty or the signer address " + signer + " with POLY_SIGNATURE_TYPE=0 "
                            + "(EOA), but was " + v + "; use 1 (POLY_PROXY) or 2 (POLY_GNOSIS_SAFE) for a proxy wallet");
                }
                return v != null ? v : signer;
            }
            if (v == null && !dryRun) {
                fail("POLY_FUNDER is required with POLY_SIGNATURE_TYPE=" + type.code() + " (" + type
                        + "): the proxy or Safe wallet that holds the funds");
            }
            return v;
        }

        String url(String key, String env, String fallback) {
            String v = get(key, env, fallback);
            try {
                URI uri = URI.create(v);
                if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                        || uri.getHost() == null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                fail(env + " must be an http(s) URL, but was '" + v + "'");
            }
            return PolymarketFeedAdapter.stripSlash(v);
        }

        BigDecimal decimal(String key, String env, String fallback, BigDecimal min, BigDecimal max) {
            String v = get(key, env, fallback);
            try {
                BigDecimal d = new BigDecimal(v);
                if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                    fail(env + " must be in [" + min.toPlainString() + ", " + max.toPlainString() + "], but was " + v);
                }
                return d;
            } catch (NumberFormatException e) {
                fail(env + " must be a decimal number in [" + min.toPlainString() + ", " + max.toPlainString()
                        + "], but was '" + v + "'");
                return new BigDecimal(fallback);
            }
        }

        long integer(String key, String env, long fallback, long min, long max) {
            String v = raw(key, env);
            if (v == null) {
                return fallback;
            }
            try {
                long n = Long.parseLong(v);
                if (n < min || n > max) {
                    fail(env + " must be in [" + min + ", " + max + "], but was " + v);
                }
                return n;
            } catch (NumberFormatException e) {
                fail(env + " must be a whole number in [" + min + ", " + max + "], but was '" + v + "'");
                return fallback;
            }
        }
    }
}

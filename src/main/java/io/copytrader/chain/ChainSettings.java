package io.copytrader.chain;

import io.copytrader.config.InvalidSettingException;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Chain detection settings ({@code copytrader.detection}, {@code copytrader.chain.*}), validated eagerly with the
 * variable's name in the message. The WebSocket URL may carry a provider key: it never appears in a message.
 *
 * @param detection chain, data-api or both
 */
public record ChainSettings(String detection, URI url, List<String> exchanges, ChainFeed.Options options) {
    public static final String CHAIN = "chain";
    public static final String DATA_API = "data-api";
    public static final String BOTH = "both";

    public boolean chainOn() {
        return !detection.equals(DATA_API);
    }

    public boolean dataApiOn() {
        return !detection.equals(CHAIN);
    }

    /**
     * Reads the settings; {@code venue} is the engine's venue (chain detection is for Polymarket only). Every key is
     * read whichever detection is chosen, so the start-up check knows each one (a key it does not know is refused as
     * a misspelling) and a value Camel cannot resolve is refused even where chain detection is off.
     */
    public static ChainSettings load(Function<String, String> property, String venue) {
        String url = trim(property.apply("copytrader.chain.ws-url"));
        String detection = trim(property.apply("copytrader.detection")).toLowerCase(Locale.ROOT);
        String exchangesText = trim(property.apply("copytrader.chain.exchanges"));
        String rangeText = trim(property.apply("copytrader.chain.get-logs-blocks"));
        String lookbackText = trim(property.apply("copytrader.chain.initial-lookback-blocks"));
        String timeoutText = trim(property.apply("copytrader.chain.request-timeout-ms"));
        String initialText = trim(property.apply("copytrader.chain.reconnect-initial-ms"));
        String maxText = trim(property.apply("copytrader.chain.reconnect-max-ms"));
        if (detection.isEmpty()) {
            detection = url.isEmpty() || !venue.equals("polymarket") ? DATA_API : BOTH;
        }
        if (!List.of(CHAIN, DATA_API, BOTH).contains(detection)) {
            throw new InvalidSettingException("DETECTION (copytrader.detection) must be chain, data-api or both, but was '"
                    + abbreviate(detection) + "'");
        }
        if (detection.equals(DATA_API)) {
            return new ChainSettings(detection, null, List.of(), null);
        }
        if (!venue.equals("polymarket")) {
            throw new InvalidSettingException("DETECTION (copytrader.detection) " + detection
                    + " needs VENUE=polymarket, but the venue is " + venue);
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !("ws".equals(uri.getScheme()) || "wss".equals(uri.getScheme()))) {
            throw new InvalidSettingException("POLYGON_WS_URL (copytrader.chain.ws-url) must be a ws:// or wss:// URL when "
                    + "DETECTION is " + detection + (url.isEmpty() ? ", but it is not set" : ", but it is not one"));
        }
        List<String> exchanges;
        try {
            exchanges = Arrays.stream(exchangesText.split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).map(OrderFilledDecoder::address).toList();
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("CHAIN_EXCHANGES (copytrader.chain.exchanges): " + e.getMessage());
        }
        if (exchanges.isEmpty()) {
            throw new InvalidSettingException("CHAIN_EXCHANGES (copytrader.chain.exchanges) must name at least one contract");
        }
        int range = (int) positive(rangeText, "copytrader.chain.get-logs-blocks", "CHAIN_GET_LOGS_BLOCKS", 1, 100_000);
        long lookback = positive(lookbackText, "copytrader.chain.initial-lookback-blocks", "CHAIN_INITIAL_LOOKBACK_BLOCKS", 0, 1_000_000);
        long timeout = positive(timeoutText, "copytrader.chain.request-timeout-ms", "CHAIN_REQUEST_TIMEOUT_MS", 100, 600_000);
        long initial = positive(initialText, "copytrader.chain.reconnect-initial-ms", "CHAIN_RECONNECT_INITIAL_MS", 1, 600_000);
        long max = positive(maxText, "copytrader.chain.reconnect-max-ms", "CHAIN_RECONNECT_MAX_MS", initial, 3_600_000);
        return new ChainSettings(detection, uri, exchanges, new ChainFeed.Options(uri, range, lookback,
                Duration.ofMillis(timeout), Duration.ofMillis(initial), Duration.ofMillis(max)));
    }

    private static long positive(String text, String key, String env, long min, long max) {
        try {
            long v = Long.parseLong(text);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new InvalidSettingException(env + " (" + key + ") must be a whole number in [" + min + ", " + max
                + "], but was '" + abbreviate(text) + "'");
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}

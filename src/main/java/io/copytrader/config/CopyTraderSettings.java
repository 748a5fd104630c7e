package io.copytrader.config;

import io.copytrader.domain.TraderId;
import org.apache.camel.spi.PropertiesComponent;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Every tunable of the engine, read once at start from {@code copytrader.*} properties (which application.properties
 * maps to the environment variables users know) and validated eagerly: an invalid value stops startup with a
 * message naming the variable, the value and the allowed range.
 */
public record CopyTraderSettings(
        String venue,
        String paperVenueUrl,
        long paperSeed,
        BigDecimal paperTradeRate,
        BigDecimal paperStartingCash,
        List<TraderId> targetTraders,
        long pollIntervalMs,
        int feedPageSize,
        int feedMaxPagesPerPoll,
        BigDecimal minTradeSizeUsd,
        Duration maxTradeAge,
        int queueSize,
        int concurrentTrades,
        long cooldownMs,
        BigDecimal copyRatio,
        BigDecimal maxPositionSizeUsd,
        BigDecimal maxPortfolioExposure,
        BigDecimal maxSlippage,
        BigDecimal minOrderSizeUsd,
        int quantityScale,
        int maxConsecutiveFailures,
        Duration breakerCooldown,
        long connectTimeoutMs,
        long responseTimeoutMs,
        int maxRetries,
        long retryInitialDelayMs,
        long retryMaxDelayMs,
        long maxRetryAfterMs,
        long monitorIntervalMs,
        Duration unknownOrderGrace,
        Duration maxRestingTime,
        long portfolioRefreshMs,
        int shutdownTimeoutSeconds,
        String storeUrl,
        String storeSqliteSync,
        int maxInFlightOrders,
        long aggregationWindowMs,
        boolean joinWaitingTrades,
        boolean oneOrderPerInstrument) {

    private static final BigDecimal ZERO = BigDecimal.ZERO;
    private static final BigDecimal ONE = BigDecimal.ONE;
    private static final BigDecimal BIG = new BigDecimal("1000000000");

    /** A target trader: a name for the paper venue, or a wallet address. */
    private static final Pattern TRADER = Pattern.compile("[A-Za-z0-9_-]{1,64}|0x[0-9a-fA-F]{40}");
    /** 64 hex digits, with or without 0x: a private key (a mistake for an address), never a trader. */
    private static final Pattern KEY_LIKE = Pattern.compile("(0[xX])?[0-9a-fA-F]{64}");

    /** A refused trader as it can be shown: its start only when longer than any trader (it may be a key mistyped). */
    private static String shownTrader(String t) {
        return t.length() <= 64 ? Setting.printable(t)
                : Setting.printable(t.substring(0, 6)) + "... (" + t.length() + " characters)";
    }

    /**
     * A lookup over Camel's properties that tells a setting not set (null) from one set to what Camel cannot resolve
     * (a stray {{ or }}, a placeholder naming nothing): Camel's resolveProperty says "not set" for both, and the
     * setting would silently take its default. That one throws {@link IllegalArgumentException} with Camel's reason,
     * which {@link Setting} turns into a refusal naming the setting.
     */
    public static Function<String, String> lookupIn(PropertiesComponent pc) {
        return key -> {
            Optional<String> value = pc.resolveProperty(key);
            if (value.isPresent() || pc.loadProperties(key::equals).isEmpty()) {
                return value.orElse(null);
            }
            return pc.parseUri("{{" + key + "}}"); // throws why it cannot be resolved
        };
    }

    /**
     * {@link #lookupIn}, for readers of settings that do not go through {@link Setting} (the chain's, Polymarket's): a
     * value Camel cannot resolve is an {@link InvalidSettingException} naming the key. Camel's reason is left out: it
     * quotes the value, and some of these are secrets.
     */
    public static Function<String, String> strictLookupIn(PropertiesComponent pc) {
        Function<String, String> lookup = lookupIn(pc);
        return key -> {
            try {
                return lookup.apply(key);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(key + " could not be read (a {{ or }} out of place, or a placeholder"
                        + " naming nothing?)");
            }
        };
    }

    /**
     * A whole-number setting outside this class (the health checks'), read and refused as these are: digits 0-9 only,
     * in [min, max], a value Camel cannot resolve refused, the message naming the variable and the property.
     */
    public static long integer(Function<String, String> lookup, String key, String env, String fallback, long min,
                               long max) {
        return new Setting(lookup).integer(key, env, fallback, min, max);
    }

    /**
     * @param lookup resolves a property key (e.g. {@link #lookupIn}); null means "not set"
     */
    public static CopyTraderSettings load(Function<String, String> lookup) {
        return load(lookup, System::getenv);
    }

    /**
     * Reads and validates every setting; each is validated by declaring it with the {@link Setting} reader of its
     * type (range, URL, port, host, one of, ...).
     *
     * @param environment the process environment: a variable set to an empty value is refused
     */
    public static CopyTraderSettings load(Function<String, String> lookup, Function<String, String> environment) {
        Setting s = new Setting(lookup, environment);
        String venue = s.oneOf("copytrader.venue", "VENUE", "paper", "paper", "polymarket");
        List<TraderId> traders = new ArrayList<>();
        String tradersText = s.text("copytrader.feed.traders", "TARGET_TRADERS", "alice");
        for (String t : tradersText.split(",")) {
            if (!t.isBlank()) {
                if (KEY_LIKE.matcher(t.trim()).matches()) {
                    // a private key pasted for an address: never echoed, and no trader name to log, tag and show
                    throw new InvalidSettingException("TARGET_TRADERS (copytrader.feed.traders) holds 64 hex digits, "
                            + "the length of a private key, not of a wallet address (0x and 40 hex digits); not shown");
                }
                if (!TRADER.matcher(t.trim()).matches()) {
                    throw new InvalidSettingException("TARGET_TRADERS (copytrader.feed.traders) must be comma-separated "
                            + "names of letters, digits, _ and - (at most 64) or 0x wallet addresses, but held '"
                            + shownTrader(t.trim()) + "'");
                }
                TraderId trader = new TraderId(t.trim());
                if (traders.stream().anyMatch(other -> other.value().equalsIgnoreCase(trader.value()))) {
                    // one trader polled twice; names match whatever their case in the per-target settings
                    throw new InvalidSettingException("TARGET_TRADERS (copytrader.feed.traders) names '" + trader.value()
                            + "' twice (names and addresses match whatever their case); name each trader once");
                }
                traders.add(trader);
            }
        }
        if (traders.isEmpty()) {
            throw new InvalidSettingException("TARGET_TRADERS (copytrader.feed.traders) must name at least one trader, but was empty");
        }
        // used by Camel itself (the management server, hot reload), validated here so a bad value stops startup
        s.host("camel.management.host", "MANAGEMENT_HOST", "127.0.0.1");
        s.port("camel.management.port", "MANAGEMENT_PORT", "9876");
        s.bool("camel.main.routes-reload-enabled", "ROUTES_RELOAD", "false");
        return new CopyTraderSettings(
                venue,
                s.httpUrl("copytrader.paper.url", "PAPER_VENUE_URL", true),
                s.integer("copytrader.paper.seed", "PAPER_SEED", "42", Long.MIN_VALUE, Long.MAX_VALUE),
                s.decimal("copytrader.paper.trade-rate", "PAPER_TRADE_RATE", "2", ZERO, true, new BigDecimal("100000"), true),
                s.decimal("copytrader.paper.starting-cash", "PAPER_STARTING_CASH", "10000", ZERO, true, BIG, true),
                List.copyOf(traders),
                s.integer("copytrader.feed.poll-interval-ms", "POLL_INTERVAL_MS", "200", 1, 3_600_000),
                (int) s.integer("copytrader.feed.page-size", "FEED_PAGE_SIZE", "500", 1, 1000),
                (int) s.integer("copytrader.feed.max-pages-per-poll", "FEED_MAX_PAGES_PER_POLL", "10", 1, 100),
                s.decimal("copytrader.filter.min-trade-size-usd", "MIN_TRADE_SIZE_USD", "0.5", ZERO, true, BIG, true),
                Duration.ofMillis(s.integer("copytrader.filter.max-trade-age-ms", "MAX_TRADE_AGE_MS", "30000", 1, 86_400_000)),
                (int) s.integer("copytrader.queue.size", "QUEUE_SIZE", "100", 1, 1_000_000),
                (int) s.integer("copytrader.queue.concurrent-trades", "CONCURRENT_TRADES", "5", 1, 500),
                s.integer("copytrader.copy.cooldown-ms", "TRADE_COOLDOWN_MS", "10", 0, 3_600_000),
                s.decimal("copytrader.copy.ratio", "COPY_RATIO", "0.01", ZERO, false, new BigDecimal("100"), true),
                s.decimal("copytrader.copy.max-position-size-usd", "MAX_POSITION_SIZE_USD", "10", ZERO, false, BIG, true),
                s.decimal("copytrader.copy.max-portfolio-exposure", "MAX_PORTFOLIO_EXPOSURE", "0.8", ZERO, false, ONE, true),
                s.decimal("copytrader.copy.max-slippage", "MAX_SLIPPAGE", "0.02", ZERO, true, new BigDecimal("0.5"), true),
                s.decimal("copytrader.copy.min-order-size-usd", "MIN_ORDER_SIZE_USD", "0.01", ZERO, true, BIG, true),
                (int) s.integer("copytrader.copy.quantity-scale", "QUANTITY_SCALE", "2", 0, 18),
                (int) s.integer("copytrader.breaker.max-consecutive-failures", "MAX_CONSECUTIVE_FAILURES", "5", 1, 1000),
                s.minutes("copytrader.breaker.cooldown-minutes", "CIRCUIT_BREAKER_COOLDOWN_MINUTES", "5", new BigDecimal("1440")),
                s.integer("copytrader.exchange.connect-timeout-ms", "EXCHANGE_CONNECT_TIMEOUT_MS", "1000", 1, 600_000),
                s.integer("copytrader.exchange.response-timeout-ms", "EXCHANGE_RESPONSE_TIMEOUT_MS", "5000", 1, 600_000),
                (int) s.integer("copytrader.exchange.max-retries", "EXCHANGE_MAX_RETRIES", "3", 0, 100),
                s.integer("copytrader.exchange.retry-initial-delay-ms", "EXCHANGE_RETRY_DELAY_MS", "100", 0, 600_000),
                s.integer("copytrader.exchange.retry-max-delay-ms", "EXCHANGE_RETRY_MAX_DELAY_MS", "5000", 0, 3_600_000),
                s.integer("copytrader.exchange.max-retry-after-ms", "EXCHANGE_MAX_RETRY_AFTER_MS", "10000", 0, 3_600_000),
                s.integer("copytrader.monitor.interval-ms", "MONITOR_INTERVAL_MS", "500", 1, 3_600_000),
                Duration.ofMillis(s.integer("copytrader.monitor.unknown-grace-ms", "UNKNOWN_ORDER_GRACE_MS", "10000", 0, 86_400_000)),
                Duration.ofMillis(s.integer("copytrader.monitor.max-resting-ms", "MAX_RESTING_MS", "60000", 1, 86_400_000)),
                s.integer("copytrader.portfolio.refresh-ms", "PORTFOLIO_REFRESH_MS", "5000", 1, 3_600_000),
                (int) s.integer("copytrader.shutdown.timeout-seconds", "SHUTDOWN_TIMEOUT_SECONDS", "30", 1, 3600),
                s.storeUrl("copytrader.store.url", "STORE_URL", io.copytrader.store.StoreSettings.DEFAULT_URL),
                s.oneOf("copytrader.store.sqlite-synchronous", "STORE_SQLITE_SYNC", "FULL", "FULL", "NORMAL"),
                (int) s.integer("copytrader.exchange.max-in-flight-orders", "MAX_IN_FLIGHT_ORDERS", "200", 1, 200),
                s.integer("copytrader.aggregation.window-ms", "AGGREGATION_WINDOW_MS", "50", 0, 60_000),
                s.bool("copytrader.queue.join-waiting", "JOIN_WAITING_TRADES", "true"),
                s.bool("copytrader.queue.one-order-per-instrument", "ONE_ORDER_PER_INSTRUMENT", "false"));
    }
}

package io.copytrader.config;

import io.copytrader.domain.TraderId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings load with defaults and fail eagerly, naming the variable, the key, the value and the range. */
class CopyTraderSettingsTest {

    static CopyTraderSettings load(Map<String, String> properties) {
        return CopyTraderSettings.load(properties::get);
    }

    static CopyTraderSettings load(String key, String value) {
        return load(Map.of(key, value));
    }

    @Test
    void shouldLoadTheDocumentedDefaultsFromAnEmptyLookup() {
        CopyTraderSettings s = CopyTraderSettings.load(key -> null);

        assertThat(s.venue()).isEqualTo("paper");
        assertThat(s.targetTraders()).containsExactly(new TraderId("alice"));
        assertThat(s.cooldownMs()).isEqualTo(10);
        assertThat(s.minTradeSizeUsd()).isEqualByComparingTo("0.5");
        assertThat(s.maxConsecutiveFailures()).isEqualTo(5);
        assertThat(s.breakerCooldown()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.copyRatio()).isEqualByComparingTo("0.01");
        assertThat(s.maxPositionSizeUsd()).isEqualByComparingTo("10");
        assertThat(s.maxPortfolioExposure()).isEqualByComparingTo("0.8");
        assertThat(s.queueSize()).isEqualTo(100);
        assertThat(s.concurrentTrades()).isEqualTo(5);
        assertThat(s.shutdownTimeoutSeconds()).isEqualTo(30);
        assertThat(s.maxTradeAge()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.quantityScale()).isEqualTo(2);
        assertThat(s.aggregationWindowMs()).isEqualTo(50);
        assertThat(s.feedMaxPagesPerPoll()).isEqualTo(10);
    }

    @Test
    void shouldRefuseABlankValueRatherThanFallBackToTheDefault() {
        assertThatThrownBy(() -> load("copytrader.copy.max-portfolio-exposure", "  "))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("MAX_PORTFOLIO_EXPOSURE (copytrader.copy.max-portfolio-exposure) must not be empty, but was ''; "
                        + "unset it for the default 0.8");
    }

    @Test
    void shouldRefuseAnEnvironmentVariableSetToEmptyEvenWhereEmptyMeansNotSet() {
        assertThatThrownBy(() -> CopyTraderSettings.load(key -> null, env -> env.equals("PAPER_VENUE_URL") ? "" : null))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("PAPER_VENUE_URL (copytrader.paper.url) must not be empty");
    }

    @Test
    void shouldReadValuesTrimmed() {
        CopyTraderSettings s = load(Map.of("copytrader.copy.max-portfolio-exposure", " 0.5 ",
                "copytrader.queue.size", " 250 ", "copytrader.feed.traders", " alice , bob ,"));

        assertThat(s.maxPortfolioExposure()).isEqualByComparingTo("0.5");
        assertThat(s.queueSize()).isEqualTo(250);
        assertThat(s.targetTraders()).containsExactly(new TraderId("alice"), new TraderId("bob"));
    }

    @Test
    void shouldAcceptTheUpperBoundOfAnInclusiveRange() {
        assertThat(load("copytrader.copy.max-portfolio-exposure", "1").maxPortfolioExposure()).isEqualByComparingTo("1");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "copytrader.copy.max-portfolio-exposure | 1.5 | MAX_PORTFOLIO_EXPOSURE (copytrader.copy.max-portfolio-exposure) must be in (0, 1], but was 1.5",
            "copytrader.copy.max-portfolio-exposure | 0   | MAX_PORTFOLIO_EXPOSURE (copytrader.copy.max-portfolio-exposure) must be in (0, 1], but was 0",
            "copytrader.copy.max-portfolio-exposure | -0.2 | MAX_PORTFOLIO_EXPOSURE (copytrader.copy.max-portfolio-exposure) must be in (0, 1], but was -0.2",
            "copytrader.copy.max-portfolio-exposure | lots | MAX_PORTFOLIO_EXPOSURE (copytrader.copy.max-portfolio-exposure) must be a number in (0, 1], but was 'lots'",
            "copytrader.copy.ratio | 0 | COPY_RATIO (copytrader.copy.ratio) must be in (0, 100], but was 0",
            "copytrader.copy.max-position-size-usd | ten | MAX_POSITION_SIZE_USD (copytrader.copy.max-position-size-usd) must be a number in (0, 1000000000], but was 'ten'",
            "copytrader.filter.min-trade-size-usd | -1 | MIN_TRADE_SIZE_USD (copytrader.filter.min-trade-size-usd) must be in [0, 1000000000], but was -1",
            "copytrader.copy.cooldown-ms | 10.5 | TRADE_COOLDOWN_MS (copytrader.copy.cooldown-ms) must be a whole number in [0, 3600000], but was '10.5'",
            "copytrader.copy.cooldown-ms | -1 | TRADE_COOLDOWN_MS (copytrader.copy.cooldown-ms) must be in [0, 3600000], but was -1",
            "copytrader.aggregation.window-ms | -1 | AGGREGATION_WINDOW_MS (copytrader.aggregation.window-ms) must be in [0, 60000], but was -1",
            "copytrader.aggregation.window-ms | 50ms | AGGREGATION_WINDOW_MS (copytrader.aggregation.window-ms) must be a whole number in [0, 60000], but was '50ms'",
            "copytrader.queue.size | 0 | QUEUE_SIZE (copytrader.queue.size) must be in [1, 1000000], but was 0",
            "copytrader.feed.max-pages-per-poll | 0 | FEED_MAX_PAGES_PER_POLL (copytrader.feed.max-pages-per-poll) must be in [1, 100], but was 0",
            "copytrader.feed.max-pages-per-poll | 101 | FEED_MAX_PAGES_PER_POLL (copytrader.feed.max-pages-per-poll) must be in [1, 100], but was 101",
            "copytrader.breaker.max-consecutive-failures | five | MAX_CONSECUTIVE_FAILURES (copytrader.breaker.max-consecutive-failures) must be a whole number in [1, 1000], but was 'five'",
            "copytrader.breaker.cooldown-minutes | 0 | CIRCUIT_BREAKER_COOLDOWN_MINUTES (copytrader.breaker.cooldown-minutes) must be in (0, 1440], but was 0",
            "copytrader.venue | binance | VENUE (copytrader.venue) must be one of paper, polymarket, but was 'binance'",
            "copytrader.feed.traders | ' , ,' | TARGET_TRADERS (copytrader.feed.traders) must name at least one trader, but was empty",
    })
    void shouldRefuseAnInvalidValueNamingTheVariableKeyValueAndRange(String key, String value, String message) {
        assertThatThrownBy(() -> load(key, value))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage(message);
    }

    @Test
    void shouldNameTheBadTraderInTheTraderList() {
        assertThatThrownBy(() -> load("copytrader.feed.traders", "alice,bad\u0001trader"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("TARGET_TRADERS (copytrader.feed.traders) must be comma-separated names")
                .hasMessageEndingWith("but held 'bad\\u0001trader'");
    }

    @Test
    void shouldAcceptTheVenueInAnyCase() {
        assertThat(load("copytrader.venue", "POLYMARKET").venue()).isEqualTo("polymarket");
    }

    @Test
    void shouldTurnADecimalBreakerCooldownInMinutesIntoMilliseconds() {
        // 0.01 minutes = 0.6 s
        assertThat(load("copytrader.breaker.cooldown-minutes", "0.01").breakerCooldown()).isEqualTo(Duration.ofMillis(600));
        assertThat(load("copytrader.breaker.cooldown-minutes", "1.5").breakerCooldown()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void shouldRefuseATraderNamedTwiceWhateverTheCase() {
        assertThatThrownBy(() -> load("copytrader.feed.traders", "alice,bob,alice"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("TARGET_TRADERS (copytrader.feed.traders) names 'alice' twice (names and addresses match"
                        + " whatever their case); name each trader once");
        String wallet = "0x90f79bf6eb2c4f870365e785982e1f101e93b906";
        assertThatThrownBy(() -> load("copytrader.feed.traders", wallet + ", " + wallet.toUpperCase().replace("0X", "0x")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("twice");
        assertThat(load("copytrader.feed.traders", "alice,alicia").targetTraders())
                .containsExactly(new TraderId("alice"), new TraderId("alicia"));
    }

    @Test
    void shouldRefuseADecimalWithMoreThanEighteenPlacesSoThatATinyExponentCannotReachTheSizing() {
        // 1e-999999999 is in (0, 0.5]: 1 + it (a buy's limit price) overflows, printing it runs out of memory
        assertThatThrownBy(() -> load("copytrader.copy.max-slippage", "1e-999999999"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("MAX_SLIPPAGE (copytrader.copy.max-slippage) must be a number in [0, 0.5] with at most 18"
                        + " decimal places, but was '1e-999999999'");
        assertThatThrownBy(() -> load("copytrader.copy.ratio", "1e-999999999")).isInstanceOf(InvalidSettingException.class);
        assertThatThrownBy(() -> load("copytrader.filter.min-trade-size-usd", "0E-999999999"))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("at most 18 decimal places");
        assertThatThrownBy(() -> load("copytrader.copy.min-order-size-usd", "0.0000000000000000001"))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("at most 18 decimal places");
        assertThat(load("copytrader.copy.min-order-size-usd", "0.000000000000000001").minOrderSizeUsd())
                .isEqualByComparingTo("1E-18");
        assertThat(load("copytrader.copy.max-position-size-usd", "1E+3").maxPositionSizeUsd()).isEqualByComparingTo("1000");
    }

    @Test
    void shouldReadNumbersInAsciiDigitsOnly() {
        // 1, an Arabic-Indic zero (it looks like a dot) and 5: Java would read 105 where the eye reads 1.5
        assertThatThrownBy(() -> load("copytrader.copy.max-position-size-usd", "1\u06605"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("MAX_POSITION_SIZE_USD (copytrader.copy.max-position-size-usd) must be a number in"
                        + " (0, 1000000000], but was '1\\u06605'");
        assertThatThrownBy(() -> load("copytrader.queue.size", "\uff11\uff10")) // full-width 10
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("QUEUE_SIZE (copytrader.queue.size) must be a whole number in [1, 1000000], but was"
                        + " '\\uff11\\uff10'");
        assertThatThrownBy(() -> load("camel.management.port", "\u0669\u0668\u0667\u0666")) // 9876
                .isInstanceOf(InvalidSettingException.class).hasMessageStartingWith("MANAGEMENT_PORT (camel.management.port)");
    }

    @Test
    void shouldShowInvisibleCharactersOfARefusedValueEscaped() {
        // a zero-width space pasted with a name: 'alice' alone would look valid
        assertThatThrownBy(() -> load("copytrader.feed.traders", "alice\u200b"))
                .isInstanceOf(InvalidSettingException.class).hasMessageEndingWith("but held 'alice\\u200b'");
        assertThatThrownBy(() -> load("copytrader.copy.ratio", "0.5\u00a0")) // a no-break space, which trim() leaves
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("COPY_RATIO (copytrader.copy.ratio) must be a number in (0, 100], but was '0.5\\u00a0'");
        assertThatThrownBy(() -> load("copytrader.venue", "\ufeffpaper")) // a byte order mark
                .isInstanceOf(InvalidSettingException.class).hasMessageEndingWith("but was '\\ufeffpaper'");
    }

    @Test
    void shouldRefuseAPrivateKeyPastedAsATraderWithoutShowingIt() {
        String key = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
        for (String pasted : new String[]{"0x" + key, key, "0X" + key.toUpperCase(java.util.Locale.ROOT)}) {
            assertThatThrownBy(() -> load("copytrader.feed.traders", "alice, " + pasted)).as(pasted)
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessage("TARGET_TRADERS (copytrader.feed.traders) holds 64 hex digits, the length of a private"
                            + " key, not of a wallet address (0x and 40 hex digits); not shown");
        }
        // a key with a digit too many or too few is refused as no trader, showing only its start
        assertThatThrownBy(() -> load("copytrader.feed.traders", "0x" + key + "9"))
                .isInstanceOf(InvalidSettingException.class).hasMessageEndingWith("but held '0x4c08... (67 characters)'")
                .hasMessageNotContaining(key.substring(6, 20));
        String sixtyFour = "b".repeat(63) + "!";
        assertThatThrownBy(() -> load("copytrader.feed.traders", sixtyFour)).as("no longer than a trader: shown whole")
                .isInstanceOf(InvalidSettingException.class).hasMessageEndingWith("but held '" + sixtyFour + "'");
        assertThat(load("copytrader.feed.traders", "0x90f79bf6eb2c4f870365e785982e1f101e93b906").targetTraders())
                .containsExactly(new TraderId("0x90f79bf6eb2c4f870365e785982e1f101e93b906"));
    }

    /** The settings as the engine reads them: from Camel's properties, these set as application.properties sets them. */
    static <T> T fromCamel(Map<String, String> properties, java.util.function.Function<java.util.function.Function<String, String>, T> load)
            throws Exception {
        return fromCamel(properties, CopyTraderSettings::lookupIn, load);
    }

    /** As {@link #fromCamel(Map, java.util.function.Function)}, through the lookup {@code lookupIn} makes. */
    static <T> T fromCamel(Map<String, String> properties,
                           java.util.function.Function<org.apache.camel.spi.PropertiesComponent,
                                   java.util.function.Function<String, String>> lookupIn,
                           java.util.function.Function<java.util.function.Function<String, String>, T> load)
            throws Exception {
        java.util.Properties initial = new java.util.Properties();
        initial.putAll(properties);
        try (org.apache.camel.impl.DefaultCamelContext context = new org.apache.camel.impl.DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(initial);
            return load.apply(lookupIn.apply(context.getPropertiesComponent()));
        }
    }

    @Test
    void shouldRefuseAValueCamelCannotResolveRatherThanTakeTheDefault() throws Exception {
        // Camel says "not set" for a value it cannot resolve: COPY_RATIO=0.5}} was copying at the default 0.01
        assertThatThrownBy(() -> fromCamel(Map.of("copytrader.copy.ratio", "0.5}}"), l -> CopyTraderSettings.load(l, env -> null)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("COPY_RATIO (copytrader.copy.ratio) could not be read (a {{ or }} out of place, or a placeholder"
                        + " naming nothing?): Missing {{ from the text: 0.5}}");
        assertThatThrownBy(() -> fromCamel(Map.of("copytrader.feed.traders", "{{env:NO_SUCH_VARIABLE_IN_ANY_TEST}}"),
                l -> CopyTraderSettings.load(l, env -> null)))
                .isInstanceOf(InvalidSettingException.class).hasMessageStartingWith("TARGET_TRADERS (copytrader.feed.traders) could not be read");
        assertThatThrownBy(() -> fromCamel(Map.of("copytrader.paper.url", "http://operator:hunter22@venue.example}}"),
                l -> CopyTraderSettings.load(l, env -> null)))
                .isInstanceOf(InvalidSettingException.class).hasMessageStartingWith("PAPER_VENUE_URL (copytrader.paper.url) could not be read")
                .hasMessageNotContaining("hunter22");
        CopyTraderSettings s = fromCamel(Map.of("copytrader.copy.ratio", "{{sys:no.such.property.in.any.test:0.25}}",
                "copytrader.queue.size", "250"), l -> CopyTraderSettings.load(l, env -> null));
        assertThat(s.copyRatio()).isEqualByComparingTo("0.25");
        assertThat(s.queueSize()).isEqualTo(250);
        assertThat(s.maxPositionSizeUsd()).as("not set: the default").isEqualByComparingTo("10");
    }

    @Test
    void shouldRefuseAChainOrPolymarketValueCamelCannotResolveWithoutQuotingIt() throws Exception {
        // DETECTION=chain}} was read as not set: Data API polling, the 4-22 s path the user chose chain detection over
        assertThatThrownBy(() -> fromStrictCamel(Map.of("copytrader.detection", "chain}}"),
                l -> io.copytrader.chain.ChainSettings.load(l, "polymarket")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("copytrader.detection could not be read (a {{ or }} out of place, or a placeholder naming"
                        + " nothing?)");
        // a secret's value is never quoted
        assertThatThrownBy(() -> fromStrictCamel(Map.of("copytrader.polymarket.api-secret", "c2VjcmV0}}"),
                l -> l.apply("copytrader.polymarket.api-secret")))
                .isInstanceOf(InvalidSettingException.class).hasMessageNotContaining("c2VjcmV0");
        String both = fromStrictCamel(Map.of("copytrader.detection", "both"), l -> l.apply("copytrader.detection"));
        assertThat(both).isEqualTo("both");
        String notSet = fromStrictCamel(Map.of(), l -> l.apply("copytrader.detection"));
        assertThat(notSet).as("not set").isNull();
    }

    static <T> T fromStrictCamel(Map<String, String> properties,
                                 java.util.function.Function<java.util.function.Function<String, String>, T> load)
            throws Exception {
        return fromCamel(properties, CopyTraderSettings::strictLookupIn, load);
    }

    @Test
    void shouldRefuseAMarketListCamelCannotResolveRatherThanDenyNothing() {
        Map<String, String> props = Map.of("copytrader.filter.markets.deny", "tok-9}}",
                "copytrader.targets.alice.markets.allow", "tok-1}}");
        assertThatThrownBy(() -> fromCamel(props, l -> TargetSettings.load(CopyTraderSettings.load(l, env -> null), l, props.keySet())))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("MARKETS_DENY (copytrader.filter.markets.deny) could not be read");
        Map<String, String> own = Map.of("copytrader.targets.alice.markets.deny", "{{tok-9}}");
        assertThatThrownBy(() -> fromCamel(own, l -> TargetSettings.load(CopyTraderSettings.load(l, env -> null), l, own.keySet())))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("copytrader.targets.alice.markets.deny could not be read");
    }
}

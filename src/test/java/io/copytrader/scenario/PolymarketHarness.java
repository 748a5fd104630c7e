package io.copytrader.scenario;

import io.copytrader.domain.TradeOutcome;
import io.copytrader.polymarket.PolymarketFake;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine with {@code VENUE=polymarket} against {@link PolymarketFake} (the Data API and the CLOB V2 on a
 * loopback port): an {@link EngineHarness} (same routes, same application.properties, the paper venue it starts)
 * whose Polymarket settings point at the fake, with test credentials passed as property overrides. Live mode
 * places signed orders on the fake CLOB; the dry run ({@code EXCHANGE=paper}) reads the fake Data API and places
 * on the harness's paper venue. Closing stops the engine, the paper venue and the fake.
 *
 * <p>Realistic by default: copy half the target's size ({@code COPY_RATIO=0.5}), the shipped caps ($10 a position,
 * 80% of the portfolio), a SQLite store in a fresh directory. {@link #assertBooksBalance()} ends each scenario.
 */
final class PolymarketHarness implements AutoCloseable {
    static final String TARGET = PolymarketFake.TARGET;

    private final PolymarketFake fake;
    private final EngineHarness engine;
    private final Path storeDir;
    private final String storeUrl;

    private PolymarketHarness(PolymarketFake fake, EngineHarness engine, Path storeDir) {
        this.fake = fake;
        this.engine = engine;
        this.storeDir = storeDir;
        this.storeUrl = "jdbc:sqlite:" + storeDir.resolve("copytrader.db");
    }

    /** Orders go to the fake CLOB, signed with the test key for the test funder (signature type 2). */
    static Builder live() {
        return new Builder(false);
    }

    /** The dry run: the fake Data API feeds the engine, orders go to the paper venue, no key is configured. */
    static Builder dryRun() {
        return new Builder(true);
    }

    static final class Builder {
        private final PolymarketFake fake = PolymarketFake.start();
        private final EngineHarness.Builder engine = EngineHarness.builder();
        private final Path storeDir;

        private Builder(boolean dryRun) {
            try {
                storeDir = Files.createTempDirectory("copytrader-polymarket");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // an account with $1,000 and no positions, and a target who has not traded yet
            fake.stubAccount("1000");
            fake.serveActivity(TARGET, List.of());
            engine.set("copytrader.venue", "polymarket")
                    .set("copytrader.feed.traders", TARGET)
                    .set("copytrader.polymarket.clob-url", fake.url())
                    .set("copytrader.polymarket.data-api-url", fake.url())
                    // the fake's /positions does not follow our fills: reconcile only at start
                    .set("copytrader.portfolio.refresh-ms", 3_600_000)
                    // a loaded test machine can take seconds to answer on loopback
                    .set("copytrader.exchange.response-timeout-ms", 20_000)
                    .set("copytrader.copy.ratio", "0.5")
                    .set("copytrader.copy.max-position-size-usd", "10")
                    .set("copytrader.copy.max-portfolio-exposure", "0.8")
                    .set("copytrader.store.url", "jdbc:sqlite:" + storeDir.resolve("copytrader.db"));
            if (dryRun) {
                engine.set("copytrader.exchange", "paper");
            } else {
                engine.set("copytrader.exchange", "polymarket")
                        .set("copytrader.polymarket.private-key", PolymarketFake.KEY)
                        .set("copytrader.polymarket.api-key", PolymarketFake.API_KEY)
                        .set("copytrader.polymarket.api-secret", PolymarketFake.SECRET)
                        .set("copytrader.polymarket.passphrase", PolymarketFake.PASSPHRASE)
                        .set("copytrader.polymarket.funder", PolymarketFake.FUNDER)
                        .set("copytrader.polymarket.signature-type", 2);
            }
        }

        /** The fake, to script before the engine starts (the exchange checks GET /version at start). */
        PolymarketFake fake() {
            return fake;
        }

        Builder set(String key, Object value) {
            engine.set(key, value);
            return this;
        }

        PolymarketHarness start() {
            try {
                return new PolymarketHarness(fake, engine.start(), storeDir);
            } catch (RuntimeException e) {
                try {
                    fake.close();
                } finally {
                    deleteQuietly(storeDir);
                }
                throw e;
            }
        }
    }

    PolymarketFake fake() {
        return fake;
    }

    EngineHarness engine() {
        return engine;
    }

    /** The SQLite store the engine writes (a fresh file per harness). */
    String storeUrl() {
        return storeUrl;
    }

    /**
     * The end of every scenario: the accounting identity holds, and every order the CLOB took belongs to a trade
     * recorded COPIED (an order at the venue is never a trade we call failed, skipped or lost).
     */
    void assertBooksBalance() {
        // the store's outcome is written a moment before its counter moves: wait for both to agree
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .untilAsserted(engine::assertAccountingIdentity);
        assertEveryTakenOrderCopied();
    }

    /**
     * After a dead-letter replay: the same as {@link #assertBooksBalance()}; a replayed trade leaves FAILED for its
     * new outcome in the store and in the metrics (failed now = ended FAILED less replayed).
     */
    void assertBooksBalanceAfterReplay() {
        assertBooksBalance();
    }

    private void assertEveryTakenOrderCopied() {
        Map<String, OrderRecord> byHash = engine.store().ordersIn(EnumSet.allOf(OrderRecordState.class)).stream()
                .filter(o -> o.venueOrderId() != null)
                .collect(Collectors.toMap(o -> o.venueOrderId().value(), Function.identity()));
        for (String hash : fake.orders().keySet()) {
            OrderRecord record = byHash.get(hash);
            assertThat(record).as("the order %s the CLOB took is one we recorded", hash).isNotNull();
            assertThat(engine.store().outcome(record.tradeKey())).as("trade of order %s", hash)
                    .contains(TradeOutcome.COPIED);
        }
    }

    /** Stops the engine and the fake, then deletes the store's directory (each harness makes one). */
    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            try {
                fake.close();
            } finally {
                deleteQuietly(storeDir);
            }
        }
    }

    /** Deletes a directory the harness made and what is in it (a store and its journal files), files first. */
    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary directory fails no scenario
        }
    }
}

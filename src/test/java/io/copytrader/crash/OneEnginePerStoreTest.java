package io.copytrader.crash;

import io.copytrader.paper.FillModelSettings;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueConfig;
import io.copytrader.store.StoreFactory;
import io.copytrader.store.TradeStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two engine processes on one SQLite store: the second is refused (exit code 2, one clear line) while the first runs,
 * and the first copies on; once the first is killed (kill -9), the next engine gets the store at once. Without the
 * lock both ran: at a stop, one recorded as abandoned trades the other was placing, which the venue then filled.
 */
@Tag("crash")
@Timeout(240)
class OneEnginePerStoreTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseASecondEngineWhileTheFirstRunsAndStartOneOnceItIsGone() throws Exception {
        PaperVenueConfig config = PaperVenueConfig.builder().port(0).seed(5).traders(Map.of("alice", 20.0))
                .startingCash(new BigDecimal("100000000")).fillModel(FillModelSettings.DEFAULT).build();
        String storeUrl = "jdbc:sqlite:" + dir.resolve("copytrader.db");
        try (PaperVenue venue = PaperVenue.start(config)) {
            Process first = EngineCrashTest.startEngine(venue.baseUrl(), storeUrl, "one-store-first", Map.of());
            Process third = null;
            try (TradeStore store = StoreFactory.open(storeUrl, Clock.systemUTC())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> store.detectedCount() > 0 || !first.isAlive());
                assertThat(first.isAlive()).as("the first engine runs").isTrue();

                // 1. a second engine on the same store waits its 11 s (shutdown timeout 1 s, and 10 s) for the first to stop, then is refused
                Process second = EngineCrashTest.startEngine(venue.baseUrl(), storeUrl, "one-store-second",
                        Map.of("SHUTDOWN_TIMEOUT_SECONDS", "1"));
                assertThat(second.waitFor(90, TimeUnit.SECONDS)).as("the second engine ended").isTrue();
                assertThat(second.exitValue()).as("refused as a configuration error").isEqualTo(2);
                String refused = Files.readString(Path.of("target", "engine-crash-logs", "one-store-second.log"));
                assertThat(refused).contains("Another CopyTrader engine is using the store")
                        .contains("copytrader: another CopyTrader engine is using the store " + dir.resolve("copytrader.db")
                                + " (process ")
                        .doesNotContain("(copytrader) started in");

                // 2. the first copies on
                long before = store.detectedCount();
                await().atMost(Duration.ofSeconds(30)).until(() -> store.detectedCount() > before);
                assertThat(first.isAlive()).isTrue();

                // 3. killed, it leaves no lock behind: the next engine starts and copies
                first.destroyForcibly();
                EngineCrashTest.assertKilled(first);
                third = EngineCrashTest.startEngine(venue.baseUrl(), storeUrl, "one-store-third", Map.of());
                EngineCrashTest.awaitStarted("one-store-third");
                long restarted = store.detectedCount();
                await().atMost(Duration.ofSeconds(30)).until(() -> store.detectedCount() > restarted);
                third.destroy(); // SIGTERM: graceful
                assertThat(third.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(third.exitValue()).isZero();
            } finally {
                first.destroyForcibly();
                if (third != null) {
                    third.destroyForcibly();
                }
            }
        }
    }
}

package io.copytrader.scenario;

import io.copytrader.cli.StatusCommand;
import io.copytrader.domain.Reason;
import io.copytrader.domain.TradeOutcome;
import io.copytrader.paper.ScriptedFill;
import io.copytrader.store.OrderRecord;
import io.copytrader.store.OrderRecordState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Two targets followed with different trust: their own ratios, minimum sizes and market lists. */
@Timeout(60)
class TargetSettingsScenarioTest {

    @Test
    void shouldSizeAndSkipEachTargetsTradesAsItsOwnSettingsSay() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (EngineHarness h = EngineHarness.builder()
                .set("camel.management.enabled", true)
                .set("camel.management.port", port)
                .set("copytrader.feed.traders", "alice,bob")
                // alice: half her size, only in tok-A markets
                .set("copytrader.targets.alice.ratio", "0.5")
                .set("copytrader.targets.alice.markets.allow", "tok-A*")
                // bob: twice his size, never tok-A1, only his trades of $10 or more
                .set("copytrader.targets.bob.ratio", "2")
                .set("copytrader.targets.bob.markets.deny", "tok-A1")
                .set("copytrader.targets.bob.min-trade-usd", "10")
                .start()) {
            // 1. each trades twice or three times
            h.admin().emitFills("alice", List.of(
                    ScriptedFill.buy("tok-A1", "0.50", "10"),      // copied: 5
                    ScriptedFill.buy("tok-B1", "0.50", "10")));    // skipped: not an allowed market
            h.admin().emitFills("bob", List.of(
                    ScriptedFill.buy("tok-A1", "0.50", "10"),      // skipped: denied market
                    ScriptedFill.buy("tok-B1", "0.50", "40"),      // copied: 80
                    ScriptedFill.buy("tok-B2", "0.50", "10")));    // skipped: $5 below bob's $10
            h.awaitSettled(5, Duration.ofSeconds(30));

            // 2. sizes as configured, per target
            Map<String, BigDecimal> ordered = h.store().ordersIn(EnumSet.allOf(OrderRecordState.class)).stream()
                    .collect(Collectors.toMap(OrderRecord::tradeKey, o -> o.intent().quantity()));
            assertThat(ordered).hasSize(2);
            assertThat(ordered.get("alice:alice-1")).isEqualByComparingTo("5");
            assertThat(ordered.get("bob:bob-2")).isEqualByComparingTo("80");
            // 3. skips as configured
            assertThat(h.counter("copytrader.trades.skipped", "reason", Reason.FILTER_MARKET_NOT_ALLOWED.name())).isEqualTo(2);
            assertThat(h.counter("copytrader.trades.skipped", "reason", Reason.FILTER_BELOW_MIN_SIZE.name())).isEqualTo(1);
            assertThat(h.store().outcome("bob:bob-3")).contains(TradeOutcome.SKIPPED);
            // 4. the metrics carry the target, and status lists each target with its counters
            assertThat(h.counter("copytrader.target.trades", "target", "alice", "outcome", "COPIED")).isEqualTo(1);
            assertThat(h.counter("copytrader.target.trades", "target", "bob", "outcome", "SKIPPED")).isEqualTo(2);
            String status = status("--url", "http://127.0.0.1:" + port);
            assertThat(status).contains("target.alice: detected=2 copied=1 skipped=1 failed=0",
                    "target.bob: detected=3 copied=1 skipped=2 failed=0");
            h.assertAccountingIdentity();
        }
    }

    private static String status(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(new StatusCommand(o, o)).execute(args);
        assertThat(exit).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}

package io.copytrader.scenario;

import io.copytrader.cli.StatusCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class StatusCommandTest {

    @Test
    void shouldPrintTheLiveFiguresOfARunningInstance() throws IOException {
        int port = freePort();
        try (EngineHarness h = EngineHarness.builder()
                .set("camel.management.enabled", true)
                .set("camel.management.port", port)
                .start()) {
            // 1. twenty trades are copied or skipped
            h.emit(20);
            h.awaitSettled(20, Duration.ofSeconds(20));
            // 2. status, pointed at the instance, prints the seed's block with the same figures as the store
            Run run = status("--url", "http://127.0.0.1:" + port);
            assertThat(run.exit).isZero();
            assertThat(run.out).contains("queueLength: 0", "processingTrades: 0", "tradesQueued: ",
                    "tradesProcessed: " + h.outcomes(io.copytrader.domain.TradeOutcome.COPIED),
                    "tradesSkipped: " + h.outcomes(io.copytrader.domain.TradeOutcome.SKIPPED),
                    "tradesFailed: 0", "queueOverflows: 0", "queueJoined: 0", "feedRowsRejected: 0", "avgLatencyMs: ", "minLatencyMs: ", "maxLatencyMs: ",
                    "circuitState: CLOSED");
        }
    }

    @Test
    void shouldSayClearlyWhenNothingIsRunning() throws IOException {
        Run run = status("--url", "http://127.0.0.1:" + freePort());
        assertThat(run.exit).isEqualTo(1);
        assertThat(run.err).contains("no CopyTrader instance answers at").contains("is it running?");
        assertThat(run.out).isEmpty();
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run status(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(new StatusCommand(o, e)).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

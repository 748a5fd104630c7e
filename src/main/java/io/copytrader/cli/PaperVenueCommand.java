package io.copytrader.cli;

import io.copytrader.paper.FillModelSettings;
import io.copytrader.paper.PaperVenue;
import io.copytrader.paper.PaperVenueConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the paper venue as its own process, so chaos tests can kill the engine while the venue lives. Prints the base
 * URL on the first line of stdout, then serves until SIGTERM or Ctrl-C and closes cleanly; with {@code --stop-with-pid}
 * also when that process ends, however it ends (the bench passes its own: a bench killed by SIGKILL or a JVM crash,
 * whose shutdown hooks never run, leaves no venue behind).
 */
@Command(name = "paper-venue", mixinStandardHelpOptions = true,
        description = "Runs the paper venue (simulated feed and exchange) as its own process.")
public final class PaperVenueCommand implements Callable<Integer> {
    @Option(names = "--port", description = "TCP port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    int port;

    @Option(names = "--seed", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Option(names = "--trader", paramLabel = "NAME=RATE",
            description = "A target trader and its trades per second; repeat for more (default: alice=2).")
    Map<String, Double> traders = new LinkedHashMap<>();

    @Option(names = "--cash", description = "Starting cash in USD (default: ${DEFAULT-VALUE}).", defaultValue = "10000")
    BigDecimal cash;

    @Option(names = "--feed-retention", description = "Fills kept per trader (default: ${DEFAULT-VALUE}).",
            defaultValue = "" + PaperVenueConfig.DEFAULT_FEED_RETENTION)
    int feedRetention;

    @Option(names = "--instruments", paramLabel = "N",
            description = "Instruments each trader's fills are drawn from, tok-1 .. tok-N (default: ${DEFAULT-VALUE}).",
            defaultValue = "" + PaperVenueConfig.DEFAULT_INSTRUMENTS)
    int instruments;

    /** How accepted orders fill. */
    enum FillModelChoice {
        /** 75% immediately, 10% partially, 13% resting then filled, 2% never (docs/paper-venue-api.md). */
        DEFAULT,
        /** Every order fills in full when placed (the bench uses it: no open orders for the monitor to chase). */
        IMMEDIATE
    }

    @Option(names = "--fill-model", description = "How orders fill: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "DEFAULT")
    FillModelChoice fillModel;

    @Option(names = "--stop-with-pid", paramLabel = "PID",
            description = "Stop when the process PID ends, however it ends (default: serve until stopped).")
    Long stopWithPid;

    @Override
    public Integer call() throws InterruptedException {
        Optional<ProcessHandle> watched = Optional.empty();
        if (stopWithPid != null) {
            watched = ProcessHandle.of(stopWithPid).filter(ProcessHandle::isAlive);
            if (watched.isEmpty()) {
                System.err.println("paper-venue: process " + stopWithPid + " (--stop-with-pid) is not running; not starting");
                return 1;
            }
        }
        PaperVenueConfig.Builder config = PaperVenueConfig.builder().port(port).seed(seed).startingCash(cash)
                .feedRetention(feedRetention).instruments(instruments)
                .fillModel(fillModel == FillModelChoice.IMMEDIATE ? FillModelSettings.alwaysImmediate() : FillModelSettings.DEFAULT);
        if (!traders.isEmpty()) {
            config.traders(traders);
        }
        PaperVenue venue = PaperVenue.start(config.build());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            venue.close();
            System.out.println("paper venue stopped");
            stopped.countDown();
        }, "paper-venue-shutdown"));
        System.out.println(venue.baseUrl());
        System.out.flush();
        // System.exit runs the hook above: the venue closes as on SIGTERM
        watched.ifPresent(process -> process.onExit().thenRun(() -> System.exit(0)));
        stopped.await();
        return 0;
    }
}

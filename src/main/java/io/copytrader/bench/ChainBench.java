package io.copytrader.bench;

import io.copytrader.chain.ChainFeed;
import io.copytrader.cli.RunCommand;
import io.copytrader.domain.DetectedTrade;
import io.copytrader.engine.PipelineMetrics;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chain detection on a real node: anvil (no automine) produces a block every {@code blockTimeMs} holding
 * {@code fillsPerBlock} OrderFilled logs of the target (one transaction emitting them, each a different order and
 * size), and the engine (VENUE=polymarket, DETECTION=chain, orders on the embedded paper venue: the dry run) copies
 * them. Per fill: block produced (the moment evm_mine is called) to trade detected (decoded and admitted) and to
 * order accepted by the venue. The first blocks warm up and are not counted.
 */
public final class ChainBench {
    static final String TARGET = "0x56687bf447db6ffa42ffe2204a05edaa20f55839";
    static final String OTHER = "0x3333333333333333333333333333333333333333";
    static final BigInteger TOKEN = new BigInteger("21742633143463906290569050155826241533067272736897614950488156847949938836455");

    public record Options(Path anvil, long blockTimeMs, int fillsPerBlock, int blocks, int warmupBlocks) {
    }

    public record Result(Options options, long fills, double detectP50Ms, double detectP99Ms, double acceptP50Ms,
                         double acceptP99Ms, long detectedCount, long acceptedCount) {
        public String line() {
            return String.format(Locale.ROOT, "bench-chain: block_ms=%d fills_per_block=%d fills=%d detected=%d accepted=%d "
                            + "detect_p50_ms=%.1f detect_p99_ms=%.1f accept_p50_ms=%.1f accept_p99_ms=%.1f",
                    options.blockTimeMs(), options.fillsPerBlock(), fills, detectedCount, acceptedCount, detectP50Ms,
                    detectP99Ms, acceptP50Ms, acceptP99Ms);
        }
    }

    private final Options options;
    private final PrintStream out;
    private final Map<String, Instant> producedByTx = new ConcurrentHashMap<>();
    private final Map<String, Instant> detected = new ConcurrentHashMap<>();
    private final Map<String, Instant> accepted = new ConcurrentHashMap<>();

    public ChainBench(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public Result run() throws Exception {
        // the node ends with this thread: a bench killed before closing it leaves no node serving behind it
        try (Anvil anvil = Anvil.start(options.anvil(), List.of("--no-mining"), true)) {
            Main main = startEngine(anvil);
            try {
                CamelContext context = main.getCamelContext();
                PipelineMetrics metrics = context.getRegistry().lookupByNameAndType("pipelineMetrics", PipelineMetrics.class);
                ChainFeed feed = context.getRegistry().lookupByNameAndType("chainFeed", ChainFeed.class);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!feed.isLive() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                metrics.acceptedListener((trade, at) -> accepted.putIfAbsent(trade.key(), at));
                return measure(anvil, context, metrics);
            } finally {
                main.stop();
            }
        }
    }

    private Result measure(Anvil anvil, CamelContext context, PipelineMetrics metrics) throws Exception {
        List<String> measuredTx = new ArrayList<>();
        long next = System.nanoTime();
        int order = 1;
        for (int b = 0; b < options.warmupBlocks() + options.blocks(); b++) {
            // the block's fills wait in the mempool until its slot
            String tx = anvil.fills(BigInteger.valueOf(order), TARGET, OTHER, 0, TOKEN, 2_600_000, 5_000_000,
                    options.fillsPerBlock());
            order += options.fillsPerBlock();
            next += Duration.ofMillis(options.blockTimeMs()).toNanos();
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            producedByTx.put(tx, Instant.now());
            anvil.mine();
            if (b >= options.warmupBlocks()) {
                measuredTx.add(tx);
            }
        }
        // let the last block be copied
        long expected = (long) (options.warmupBlocks() + options.blocks()) * options.fillsPerBlock();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        io.copytrader.store.TradeStore store = context.getRegistry().lookupByNameAndType("tradeStore",
                io.copytrader.store.TradeStore.class);
        while ((store.detectedCount() < expected || store.inFlightCount() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<Double> detect = new ArrayList<>();
        List<Double> accept = new ArrayList<>();
        long fills = 0;
        for (String tx : measuredTx) {
            Instant produced = producedByTx.get(tx);
            for (int i = 1; i <= options.fillsPerBlock(); i++) {
                fills++;
                String key = TARGET + ":" + tx + ":" + TOKEN + ":BUY:" + (5 * i) + "@0.52";
                store.trade(key).map(DetectedTrade::tsInit).ifPresent(t -> detect.add(ms(produced, t)));
                Instant a = accepted.get(key);
                if (a != null) {
                    accept.add(ms(produced, a));
                }
            }
        }
        Result r = new Result(options, fills, pct(detect, 50), pct(detect, 99), pct(accept, 50), pct(accept, 99),
                detect.size(), accept.size());
        out.println(r.line());
        return r;
    }

    private static double ms(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    static double pct(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    /**
     * The engine as {@code run} starts it, in the Polymarket dry run: chain detection only, orders on the embedded
     * paper venue, an in-memory store, every fill let through (no minimum sizes, 1% copies, no cooldown).
     */
    private Main startEngine(Anvil anvil) throws Exception {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(RunCommand.PROPERTY_LOCATIONS);
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("copytrader.venue", "polymarket");
        settings.put("copytrader.exchange", "paper");
        settings.put("copytrader.feed.traders", TARGET);
        settings.put("copytrader.detection", "chain");
        settings.put("copytrader.chain.ws-url", anvil.wsUrl().toString());
        settings.put("copytrader.chain.exchanges", Anvil.EXCHANGE);
        settings.put("copytrader.store.url", "memory");
        settings.put("copytrader.filter.min-trade-size-usd", "0");
        settings.put("copytrader.copy.min-order-size-usd", "0");
        settings.put("copytrader.copy.ratio", "0.01");
        settings.put("copytrader.copy.max-position-size-usd", "1000000000");
        settings.put("copytrader.copy.max-portfolio-exposure", "1");
        settings.put("copytrader.copy.cooldown-ms", "0");
        settings.put("copytrader.paper.starting-cash", "1000000000");
        settings.put("copytrader.shutdown.timeout-seconds", "10");
        settings.put("camel.management.enabled", "false");
        settings.forEach(main::addOverrideProperty);
        main.start();
        if (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
            throw new IllegalStateException("the engine did not start");
        }
        return main;
    }
}

package io.copytrader.cli;

import io.copytrader.bench.Anvil;
import io.copytrader.bench.ChainBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Chain detection on a local anvil node: block produced to trade detected and to order accepted, p50/p99. The last
 * line of stdout is machine-readable ({@code bench-chain: block_ms=... detect_p99_ms=...}).
 */
@Command(name = "bench-chain", mixinStandardHelpOptions = true,
        description = "Measures chain detection on a local anvil node: block produced to detected and to accepted.")
public final class ChainBenchCommand implements Callable<Integer> {
    @Option(names = "--block-ms", paramLabel = "MS", defaultValue = "1500",
            description = "Time between blocks, ms (default: ${DEFAULT-VALUE}; Polygon ~1500-2000).")
    long blockMs;

    @Option(names = "--fills", paramLabel = "N", defaultValue = "10",
            description = "Target fills per block (default: ${DEFAULT-VALUE}).")
    int fills;

    @Option(names = "--blocks", paramLabel = "B", defaultValue = "20",
            description = "Measured blocks (default: ${DEFAULT-VALUE}).")
    int blocks;

    @Option(names = "--warmup-blocks", paramLabel = "W", defaultValue = "5",
            description = "Unmeasured blocks first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--anvil", paramLabel = "PATH",
            description = "The anvil binary (default: ANVIL_BIN, ./node_modules/.bin/anvil, PATH).")
    Path anvil;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(Path.of("routes"))) {
            System.err.println("bench-chain: no routes/ folder in " + Path.of("").toAbsolutePath() + "; run from the project folder");
            return 2;
        }
        if (blockMs < 10 || fills < 1 || fills > 1000 || blocks < 1 || warmup < 0) {
            System.err.println("bench-chain: --block-ms at least 10, --fills in [1, 1000], --blocks positive, --warmup-blocks not negative");
            return 2;
        }
        Path binary = anvil != null ? anvil : Anvil.locate().orElse(null);
        if (binary == null) {
            System.err.println("bench-chain: " + Anvil.HOW_TO_INSTALL);
            return 2;
        }
        new ChainBench(new ChainBench.Options(binary, blockMs, fills, blocks, warmup), System.out).run();
        return 0;
    }
}

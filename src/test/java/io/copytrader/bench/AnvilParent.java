package io.copytrader.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The chain bench's part in {@link AnvilParentTest}, as a process of its own: starts the node as {@code bench-chain}
 * does (ending with this thread), prints {@code ANVIL <pid>}, then waits to be killed (never closing the node).
 */
public final class AnvilParent {
    private AnvilParent() {
    }

    public static void main(String[] args) throws Exception {
        Anvil anvil = Anvil.start(Path.of(args[0]), List.of("--no-mining"), true);
        System.out.println("ANVIL " + anvil.pid());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}

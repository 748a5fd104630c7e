package io.copytrader.bench;

import io.copytrader.chain.AnvilNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code bench-chain}'s anvil node runs in a process of its own; a bench killed before closing it (SIGKILL, a crash of
 * its JVM: no shutdown hook runs) must not leave it running. Before, the node served on under init.
 */
class AnvilParentTest {

    @Test
    void theNodeEndsWhenTheBenchThatStartedItIsKilled() throws Exception {
        if (Anvil.setpriv().isEmpty()) {
            // Debian's util-linux ships setpriv, so CI has it: there the test runs or fails, never vanishes
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("setpriv (util-linux) not found on the PATH");
            }
            Assumptions.abort("setpriv (util-linux) not found on the PATH");
        }
        Path binary;
        try (Anvil probe = AnvilNode.start(List.of("--no-mining"))) { // skipped without anvil, failed in CI
            binary = Anvil.locate().orElseThrow();
        }
        Process parent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                AnvilParent.class.getName(), binary.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long nodePid = -1;
        try {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                do {
                    line = out.readLine();
                } while (line != null && !line.startsWith("ANVIL "));
                assertThat(line).as("the parent's report of the node it started").isNotNull();
                nodePid = Long.parseLong(line.split(" ")[1]);
                assertThat(ProcessHandle.of(nodePid).map(ProcessHandle::isAlive)).as("the node runs while its parent does")
                        .contains(true);

                parent.toHandle().destroyForcibly(); // SIGKILL: the parent closes nothing
                assertThat(parent.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            long pid = nodePid;
            await("the node ends after its parent was killed").atMost(Duration.ofSeconds(30))
                    .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
        } finally {
            parent.destroyForcibly();
            if (nodePid > 0) {
                ProcessHandle.of(nodePid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}

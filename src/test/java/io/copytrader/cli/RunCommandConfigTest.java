package io.copytrader.cli;

import io.copytrader.CopyTraderCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A bad setting stops startup plainly: exit code 2, and a message naming the variable, the value and the range. */
@Timeout(60)
class RunCommandConfigTest {

    @Test
    void shouldRefuseToStartOnAnOutOfRangeEnvironmentVariable() throws Exception {
        Result r = run("MAX_PORTFOLIO_EXPOSURE", "1.5");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output).contains("MAX_PORTFOLIO_EXPOSURE (copytrader.copy.max-portfolio-exposure) must be in (0, 1], but was 1.5");
    }

    @Test
    void shouldRefuseToStartOnANonNumber() throws Exception {
        Result r = run("TRADE_COOLDOWN_MS", "fast");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output).contains("TRADE_COOLDOWN_MS (copytrader.copy.cooldown-ms) must be a whole number in [0, 3600000], but was 'fast'");
    }

    @Test
    void shouldRefuseToStartOnABadMarketList() throws Exception {
        Result r = run("MARKETS_ALLOW", "tok*1");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output).contains("MARKETS_ALLOW (copytrader.filter.markets.allow) holds 'tok*1'");
    }

    @Test
    void shouldRefuseToStartOnAMisspelledSettingInTheEnvironmentOrTheCommandLine() throws Exception {
        Result r = run("COPYTRADER_COPY_RATION", "0.4242");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output).contains("COPYTRADER_COPY_RATION in the environment (did you mean COPYTRADER_COPY_RATIO?)"
                + " is set, but no setting reads it").doesNotContain("0.4242");

        r = run("PAPER_SEED", "7", "-Dcopytrader.copy.max-position-size=250");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output).contains("-Dcopytrader.copy.max-position-size (did you mean"
                + " -Dcopytrader.copy.max-position-size-usd?) is set, but no setting reads it").doesNotContain("250");
    }

    private record Result(int exit, String output) {
    }

    /** The engine as users start it, in its own process, with one environment variable set (and JVM options). */
    private static Result run(String variable, String value, String... jvmOptions) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CopyTraderCli.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(new File(System.getProperty("user.dir")));
        pb.environment().put(variable, value);
        pb.environment().put("STORE_URL", "memory");
        pb.environment().put("MANAGEMENT_PORT", "0");
        pb.redirectErrorStream(true);
        Path output = Files.createTempFile("run-command", ".out");
        pb.redirectOutput(output.toFile());
        Process p = pb.start();
        try {
            // an engine that starts instead of refusing never exits: fail then, and stop it
            assertThat(p.waitFor(45, TimeUnit.SECONDS)).as("the engine refused to start and exited").isTrue();
            return new Result(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }
}

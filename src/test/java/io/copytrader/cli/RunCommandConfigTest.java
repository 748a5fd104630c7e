package io.copytrader.cli;

import io.copytrader.CopyTraderCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

    private record Result(int exit, String output) {
    }

    /** The engine as users start it, in its own process, with one environment variable set. */
    private static Result run(String variable, String value) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), CopyTraderCli.class.getName());
        pb.directory(new File(System.getProperty("user.dir")));
        pb.environment().put(variable, value);
        pb.environment().put("STORE_URL", "memory");
        pb.environment().put("MANAGEMENT_PORT", "0");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(50, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}

package io.copytrader.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bench's options are checked before anything starts: the --profile prefix needs a folder that exists, --runs is
 * 1-20 and does not go with --profile.
 */
class BenchCommandTest {

    @Test
    void shouldAcceptAPrefixInAnExistingFolderOrTheWorkingOne(@TempDir Path dir) {
        assertThat(BenchCommand.profileFolderExists(dir.resolve("step").toString())).isTrue();
        assertThat(BenchCommand.profileFolderExists("step")).as("a bare name: the working folder").isTrue();
    }

    @Test
    void shouldRefuseAPrefixWhoseFolderIsMissingOrBlank(@TempDir Path dir) {
        assertThat(BenchCommand.profileFolderExists(dir.resolve("missing").resolve("step").toString())).isFalse();
        assertThat(BenchCommand.profileFolderExists(" ")).isFalse();
        assertThat(BenchCommand.profileFolderExists("")).isFalse();
    }

    @Test
    void shouldExitWithAClearErrorBeforeStartingAnything(@TempDir Path dir) {
        // run from the project folder (routes/ exists), so the prefix is what is refused
        String prefix = dir.resolve("missing").resolve("step").toString();
        assertThat(refused("--rate", "10", "--profile", prefix))
                .contains("bench: --profile " + prefix + ": no such folder for the stacks files");
    }

    @Test
    void shouldRefuseRunsOutOfRangeOrWithAProfileBeforeStartingAnything(@TempDir Path dir) {
        for (String runs : new String[] {"0", "-1", "21"}) {
            assertThat(refused("--rate", "10", "--runs", runs)).as(runs).contains("bench: --runs 1-20");
        }
        assertThat(refused("--rate", "10", "--runs", "2", "--profile", dir.resolve("step").toString()))
                .contains("bench: --profile samples one run; leave out --runs or --profile");
    }

    /** What the command said on stderr, having exited with 2 before starting anything. */
    private static String refused(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
            code = new CommandLine(new BenchCommand()).execute(args);
        } finally {
            System.setErr(err);
        }
        assertThat(code).as(said.toString(StandardCharsets.UTF_8)).isEqualTo(2);
        return said.toString(StandardCharsets.UTF_8);
    }
}

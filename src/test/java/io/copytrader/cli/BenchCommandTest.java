package io.copytrader.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench's --profile prefix is checked before anything starts: its stacks files need a folder that exists. */
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
        PrintStream err = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
            code = new CommandLine(new BenchCommand()).execute("--rate", "10", "--profile", prefix);
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        assertThat(said.toString(StandardCharsets.UTF_8))
                .contains("bench: --profile " + prefix + ": no such folder for the stacks files");
    }
}

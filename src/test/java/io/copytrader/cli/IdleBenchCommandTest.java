package io.copytrader.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** A count of runs the idle bench cannot make is refused before anything is launched. */
class IdleBenchCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "21"})
    void shouldRefuseACountOfRunsOutOfRangeBeforeLaunchingAnything(String runs) {
        // run from the project folder (routes/ exists), so the count is what is refused
        PrintStream err = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
            code = new CommandLine(new IdleBenchCommand()).execute("--runs", runs);
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("--runs 1-20");
    }
}

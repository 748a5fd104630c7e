package io.copytrader.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher's JVM replaced by another program (execve): a real JVM started from the test class path runs
 * {@link ReplacingProgram}, which execs a shell; the shell reports what it got.
 */
@Timeout(60)
@EnabledOnOs(OS.LINUX)
class ProcessReplacementTest {
    @TempDir
    Path folder;

    @Test
    void shouldRunTheProgramInThisProcessWithItsEnvironmentTheStandardStreamsOnlyAndItsExitCode() throws Exception {
        // the shell prints its process id and the variable, and has ls (its child) write what the shell's open
        // descriptors are to a file
        Path fds = folder.resolve("fds");
        String script = "echo \"pid=$$\"; ls -l /proc/$$/fd/ > '" + fds + "'; echo \"var=$COPYTRADER_REPLACED\"; exit 7";
        Process p = launch(script, folder);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(out).as("what the JVM printed before the exec reached the stream")
                .startsWith("before the exec;").doesNotContain("not replaced");
        assertThat(out).as("the same process: the shell has the JVM's process id").contains("pid=" + p.pid() + "\n");
        // none of the JVM's descriptors: the file the program kept open, the JDK's modules, the class path's jars
        assertThat(java.nio.file.Files.readString(fds)).as("the JVM's descriptors are not inherited")
                .contains(" 0 -> ", " 1 -> ", " 2 -> ")
                .doesNotContain("/cmdline", "/lib/modules", ".jar");
        assertThat(out).contains("var=yes\n");
        assertThat(p.exitValue()).as("the program's exit code is the process's").isEqualTo(7);
    }

    /**
     * Nothing of the JVM's timers or blocked signals reaches the program: a timer due after the exec (a profiler's,
     * say) would kill it.
     */
    @Test
    void shouldLeaveTheProgramNoTimerAndNoBlockedSignalOfTheJvms() throws Exception {
        Path blocked = folder.resolve("blocked");
        // the shell reads its own mask with builtins, before it forks anything: a child reading it (grep) could catch
        // the shell inside fork, whose C library blocks every signal there for a moment
        Process p = launch("while read -r line; do case $line in SigBlk*) echo \"$line\" > '" + blocked + "';; esac; "
                + "done < /proc/$$/status; sleep 2; exit 7", folder);
        // the alarm variant: ReplacingProgram sets a real-time timer due a second after it starts
        Process alarmed = new ProcessBuilder(command("sleep 2; exit 7", folder, "alarm")).redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(alarmed.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(java.nio.file.Files.readString(blocked).trim()).isEqualTo("SigBlk:\t0000000000000000");
        assertThat(alarmed.exitValue()).as("not killed by the JVM's timer (SIGALRM: 142)").isEqualTo(7);
    }

    @Test
    void shouldLoadJnasLibraryFromTheFolderTheTrainingRunUnpackedItTo() throws Exception {
        SharedArchiveLauncher.unpackJnaLibrary(folder);
        assertThat(folder.resolve(ProcessReplacement.libraryName())).exists();

        Process p = launch("echo replaced; exit 0", folder, "-Djna.debug_load=true", "-Djna.debug_load.jna=true");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(out).contains("replaced").doesNotContain("not replaced");
        assertThat(out).as("JNA's search, logged").contains(folder.resolve(ProcessReplacement.libraryName()).toString())
                .doesNotContain("Extracting library");
    }

    @Test
    void shouldUnpackJnasLibraryAtEachStartWhenNoTrainingRunDid() throws Exception {
        Process p = launch("echo replaced; exit 0", folder, "-Djna.debug_load=true", "-Djna.debug_load.jna=true");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(out).contains("replaced").doesNotContain("not replaced").contains("Extracting library");
    }

    private static Process launch(String script, Path natives, String... jvmOptions) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ReplacingProgram.class.getName(), script,
                natives.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static List<String> command(String script, Path natives, String variant) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ReplacingProgram.class.getName(), script, natives.toString(),
                variant);
    }
}

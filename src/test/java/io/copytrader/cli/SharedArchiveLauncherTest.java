package io.copytrader.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** When `java -jar copytrader.jar` runs the engine in a child JVM with the class archive, and what it keeps. */
@Timeout(60)
class SharedArchiveLauncherTest {
    private static final String JAVA = "/jdk/bin/java";
    private static final String VM = "Vendor 17.0.15 /jdk";

    @TempDir
    Path folder;

    @Test
    void shouldKeepTheUsersJvmOptionsButNotTheJarOrTheProgramArguments() {
        assertThat(SharedArchiveLauncher.jvmOptions(List.of("-Xmx512m", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-Dx=1", "-jar", "copytrader.jar", "--help"))).containsExactly("-Xmx512m", "--add-opens",
                "java.base/java.lang=ALL-UNNAMED", "-Dx=1");
        assertThat(SharedArchiveLauncher.jvmOptions(List.of("-cp", "a.jar", "-XX:+UseSerialGC",
                "io.copytrader.CopyTraderCli", "-Dnot=mine"))).containsExactly("-XX:+UseSerialGC");
    }

    @Test
    void shouldTrainOnAFreshBuildThenUseTheArchive() throws Exception {
        Path jar = jar();
        // 1. a fresh build: no archive, so this run writes one at its end
        SharedArchiveLauncher.Plan first = plan(jar, List.of("-Xmx512m", "-jar", jar.toString())).orElseThrow();
        assertThat(first.trains()).isTrue();
        assertThat(first.command()).startsWith(JAVA, "-Xmx512m")
                .contains("-XX:ArchiveClassesAtExit=" + first.training(), "-Dcopytrader.cds.child=" + ProcessHandle.current().pid())
                .endsWith("-cp", jar.toString(), "io.copytrader.CopyTraderCli");
        assertThat(first.training().getParent()).isEqualTo(folder);
        assertThat(first.archive()).isEqualTo(folder.resolve("copytrader.jsa"));

        // 2. the run ends normally: the archive and its key are kept
        SharedArchiveLauncher.Plan writing = withCommand(first, "echo archive > '" + first.training() + "'; exit 0");
        assertThat(SharedArchiveLauncher.run(writing)).isZero();
        assertThat(first.archive()).hasContent("archive");
        assertThat(Files.exists(first.training())).isFalse();

        // 3. the next start uses it
        SharedArchiveLauncher.Plan second = plan(jar, List.of("-jar", jar.toString())).orElseThrow();
        assertThat(second.trains()).isFalse();
        assertThat(second.command()).contains("-XX:SharedArchiveFile=" + first.archive())
                .noneMatch(a -> a.startsWith("-XX:ArchiveClassesAtExit"));
    }

    @Test
    void shouldRunTheEngineWithC1OnlyUnlessTheUserChoseACompiler() throws Exception {
        Path jar = jar();
        assertThat(plan(jar, List.of("-Xmx512m", "-jar", jar.toString())).orElseThrow().command())
                .containsOnlyOnce(SharedArchiveLauncher.C1_ONLY, SharedArchiveLauncher.EARLY_COMPILE,
                        SharedArchiveLauncher.ONE_COMPILER_THREAD);
        assertThat(plan(jar, List.of("-XX:CompileThresholdScaling=1", "-jar", jar.toString())).orElseThrow().command())
                .containsOnlyOnce(SharedArchiveLauncher.C1_ONLY, "-XX:CompileThresholdScaling=1",
                        SharedArchiveLauncher.ONE_COMPILER_THREAD)
                .doesNotContain(SharedArchiveLauncher.EARLY_COMPILE);
        assertThat(plan(jar, List.of("-XX:CICompilerCount=2", "-jar", jar.toString())).orElseThrow().command())
                .containsOnlyOnce(SharedArchiveLauncher.C1_ONLY, "-XX:CICompilerCount=2")
                .doesNotContain(SharedArchiveLauncher.ONE_COMPILER_THREAD);
        assertThat(plan(jar, List.of("-XX:TieredStopAtLevel=4", "-jar", jar.toString())).orElseThrow().command())
                .contains("-XX:TieredStopAtLevel=4")
                .doesNotContain(SharedArchiveLauncher.C1_ONLY, SharedArchiveLauncher.EARLY_COMPILE,
                        SharedArchiveLauncher.ONE_COMPILER_THREAD);
        assertThat(plan(jar, List.of("-XX:-TieredCompilation", "-jar", jar.toString())).orElseThrow().command())
                .doesNotContain(SharedArchiveLauncher.C1_ONLY);
        assertThat(SharedArchiveLauncher.plan(new String[0], Map.of("COPYTRADER_JIT", "C2")::get, false,
                List.of("-jar", jar.toString()), Optional.of(jar), JAVA, VM).orElseThrow().command())
                .doesNotContain(SharedArchiveLauncher.C1_ONLY, SharedArchiveLauncher.ONE_COMPILER_THREAD);
    }

    @Test
    void shouldRunTheEngineWithoutPerformanceCountersUnlessTheUserAskedForThem() throws Exception {
        Path jar = jar();
        assertThat(plan(jar, List.of("-jar", jar.toString())).orElseThrow().command())
                .containsOnlyOnce(SharedArchiveLauncher.NO_PERF_DATA);
        assertThat(plan(jar, List.of("-XX:+UsePerfData", "-jar", jar.toString())).orElseThrow().command())
                .containsOnlyOnce("-XX:+UsePerfData").doesNotContain(SharedArchiveLauncher.NO_PERF_DATA);
    }

    @Test
    void shouldRunTheEngineToExitWhenTheHeapRunsOutUnlessTheUserChoseOtherwise() throws Exception {
        Path jar = jar();
        assertThat(plan(jar, List.of("-jar", jar.toString())).orElseThrow().command())
                .containsOnlyOnce(SharedArchiveLauncher.EXIT_ON_OUT_OF_MEMORY);
        assertThat(plan(jar, List.of("-XX:+CrashOnOutOfMemoryError", "-jar", jar.toString())).orElseThrow().command())
                .containsOnlyOnce("-XX:+CrashOnOutOfMemoryError")
                .doesNotContain(SharedArchiveLauncher.EXIT_ON_OUT_OF_MEMORY);
        assertThat(plan(jar, List.of("-XX:-ExitOnOutOfMemoryError", "-jar", jar.toString())).orElseThrow().command())
                .doesNotContain(SharedArchiveLauncher.EXIT_ON_OUT_OF_MEMORY);
    }

    @Test
    void shouldRunTheEngineWithSlowerBackgroundSamplingUnlessTheUserSetIt() throws Exception {
        Path jar = jar();
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() <= 19, "a JDK that has both flags");
        assertThat(plan(jar, List.of("-jar", jar.toString())).orElseThrow().command())
                .containsOnlyOnce(SharedArchiveLauncher.SLOWER_G1_SAMPLING)
                .containsSubsequence(SharedArchiveLauncher.SLOWER_MONITOR_DEFLATION);
        assertThat(plan(jar, List.of("-XX:G1ConcRefinementServiceIntervalMillis=300", "-jar", jar.toString()))
                .orElseThrow().command())
                .containsOnlyOnce("-XX:G1ConcRefinementServiceIntervalMillis=300")
                .doesNotContain(SharedArchiveLauncher.SLOWER_G1_SAMPLING);
        assertThat(plan(jar, List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:AsyncDeflationInterval=250", "-jar",
                jar.toString())).orElseThrow().command())
                .containsOnlyOnce("-XX:AsyncDeflationInterval=250", "-XX:+UnlockDiagnosticVMOptions")
                .doesNotContain("-XX:AsyncDeflationInterval=2000");
    }

    @Test
    void shouldMakeANewArchiveForARebuiltJarOrAnotherJvm() throws Exception {
        Path jar = jar();
        SharedArchiveLauncher.Plan first = plan(jar, List.of("-jar", jar.toString())).orElseThrow();
        SharedArchiveLauncher.run(withCommand(first, "echo archive > '" + first.training() + "'"));

        assertThat(SharedArchiveLauncher.plan(new String[0], Map.<String, String>of()::get, false,
                List.of(), Optional.of(jar), JAVA, "Vendor 21.0.1 /other-jdk").orElseThrow().trains()).isTrue();
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        assertThat(plan(jar, List.of()).orElseThrow().trains()).isTrue();
    }

    @Test
    void shouldKeepNothingFromARunThatDidNotEndNormallyAndPassOnItsExitCode() throws Exception {
        Path jar = jar();
        SharedArchiveLauncher.Plan first = plan(jar, List.of()).orElseThrow();
        SharedArchiveLauncher.Plan killed = withCommand(first, "echo partial > '" + first.training() + "'; exit 137");

        assertThat(SharedArchiveLauncher.run(killed)).isEqualTo(137);
        assertThat(Files.exists(first.archive())).isFalse();
        assertThat(Files.exists(first.training())).isFalse();
    }

    @Test
    void shouldRemoveWhatATrainingRunWhoseLauncherWasKilledLeftBehind() throws Exception {
        Path archive = folder.resolve("copytrader.jsa");
        Path abandoned = Files.writeString(folder.resolve("copytrader.jsa.2147483000.tmp"), "half");
        Path running = Files.writeString(folder.resolve("copytrader.jsa." + ProcessHandle.current().pid() + ".tmp"), "in progress");

        SharedArchiveLauncher.removeAbandonedTraining(archive);

        assertThat(Files.exists(abandoned)).isFalse();
        assertThat(Files.exists(running)).isTrue();
    }

    @Test
    void shouldUnpackTheSqliteLibraryWhenTrainingAndHaveTheEngineLoadItFromThereWithTheArchive() throws Exception {
        Path jar = jar();
        SharedArchiveLauncher.Plan first = plan(jar, List.of("-jar", jar.toString())).orElseThrow();
        assertThat(first.command()).noneMatch(a -> a.startsWith("-D" + SharedArchiveLauncher.SQLITE_LIBRARY_PATH));
        Path library = first.natives().resolve(SharedArchiveLauncher.sqliteLibraryName());
        Files.createDirectories(first.natives());
        Files.writeString(library, "a library unpacked from another jar");

        SharedArchiveLauncher.run(withCommand(first, "echo archive > '" + first.training() + "'"));

        assertThat(first.natives()).isEqualTo(folder.resolve("copytrader.native"));
        assertThat(Files.readAllBytes(library)).as("the library sqlite-jdbc would unpack on this platform")
                .isEqualTo(sqliteLibraryInTheJar());
        assertThat(first.natives().resolve(ProcessReplacement.libraryName())).as("JNA's, for the launches after it")
                .exists();
        assertThat(plan(jar, List.of("-jar", jar.toString())).orElseThrow().command())
                .containsOnlyOnce("-D" + SharedArchiveLauncher.SQLITE_LIBRARY_PATH + "=" + first.natives());
        // the user's own choice wins
        assertThat(plan(jar, List.of("-Dorg.sqlite.lib.path=/opt/mine", "-jar", jar.toString())).orElseThrow()
                .command()).containsOnlyOnce("-Dorg.sqlite.lib.path=/opt/mine")
                .doesNotContain("-D" + SharedArchiveLauncher.SQLITE_LIBRARY_PATH + "=" + first.natives());
    }

    @Test
    void shouldNotPointTheEngineAtALibraryWhoseArchiveWasNotKept() throws Exception {
        Path jar = jar();
        SharedArchiveLauncher.Plan first = plan(jar, List.of()).orElseThrow();
        assertThat(SharedArchiveLauncher.run(withCommand(first, "exit 1"))).isEqualTo(1);
        assertThat(first.natives().resolve(SharedArchiveLauncher.sqliteLibraryName())).exists();

        SharedArchiveLauncher.Plan next = plan(jar, List.of()).orElseThrow();
        assertThat(next.trains()).isTrue();
        assertThat(next.command()).noneMatch(a -> a.startsWith("-D" + SharedArchiveLauncher.SQLITE_LIBRARY_PATH));
    }

    @Test
    void shouldRunInThisJvmWhenSharingDoesNotApply() throws Exception {
        Path jar = jar();
        Map<String, String> off = Map.of("COPYTRADER_CDS", "off");
        // switched off, a subcommand, the child itself, a class path of folders, the user's own sharing flags
        assertThat(SharedArchiveLauncher.plan(new String[0], off::get, false, List.of(), Optional.of(jar), JAVA, VM))
                .isEmpty();
        assertThat(SharedArchiveLauncher.plan(new String[] {"status"}, Map.<String, String>of()::get, false,
                List.of(), Optional.of(jar), JAVA, VM)).isEmpty();
        assertThat(SharedArchiveLauncher.plan(new String[0], Map.<String, String>of()::get, true,
                List.of(), Optional.of(jar), JAVA, VM)).isEmpty();
        assertThat(SharedArchiveLauncher.plan(new String[0], Map.<String, String>of()::get, false,
                List.of(), Optional.empty(), JAVA, VM)).isEmpty();
        assertThat(plan(jar, List.of("-XX:SharedArchiveFile=mine.jsa", "-jar", jar.toString()))).isEmpty();
        assertThat(plan(jar, List.of("-Xshare:off", "-jar", jar.toString()))).isEmpty();
    }

    private Path jar() throws Exception {
        return Files.writeString(folder.resolve("copytrader.jar"), "not really a jar");
    }

    private static Optional<SharedArchiveLauncher.Plan> plan(Path jar, List<String> commandLine) {
        return SharedArchiveLauncher.plan(new String[0], Map.<String, String>of()::get, false, commandLine,
                Optional.of(jar), JAVA, VM);
    }

    /** The same plan with a stand-in for the child JVM. */
    private static SharedArchiveLauncher.Plan withCommand(SharedArchiveLauncher.Plan plan, String script) {
        return new SharedArchiveLauncher.Plan(List.of("sh", "-c", script), plan.archive(), plan.training(), plan.key(),
                plan.natives());
    }

    private static byte[] sqliteLibraryInTheJar() throws Exception {
        String resource = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/"
                + org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
        try (var in = SharedArchiveLauncherTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes();
        }
    }

    /** /proc's command line, NUL after each argument (an empty argument included), program first. */
    @Test
    void shouldSplitAProcCommandLineIntoItsArguments() {
        byte[] cmdline = "java\0-Xmx1g\0\0-jar\0copy trader.jar\0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(SharedArchiveLauncher.splitCommandLine(cmdline))
                .containsExactly("java", "-Xmx1g", "", "-jar", "copy trader.jar");
        assertThat(SharedArchiveLauncher.splitCommandLine(new byte[0])).isEmpty();
        // a last argument without its NUL (a truncated read) is still one
        assertThat(SharedArchiveLauncher.splitCommandLine("java\0-jar\0x.jar".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .containsExactly("java", "-jar", "x.jar");
    }

    /** The launcher reads its arguments without ProcessHandle where it can; both give this JVM's the same way. */
    @Test
    void shouldReadThisProcessesArgumentsAsTheJdkDoes() {
        assertThat(SharedArchiveLauncher.commandLine())
                .isEqualTo(List.of(ProcessHandle.current().info().arguments().orElseThrow()));
    }

    @Test
    void theChildStopsWhenItsLauncherEnds() throws Exception {
        Process launcher = new ProcessBuilder("sleep", "120").start();
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            SharedArchiveLauncher.stopWhenLauncherExits(Long.toString(launcher.pid()), stopped::countDown);
            assertThat(stopped.getCount()).as("stopped while the launcher lives").isEqualTo(1);

            launcher.toHandle().destroyForcibly();

            assertThat(stopped.await(30, TimeUnit.SECONDS)).as("stopped once the launcher was killed").isTrue();
        } finally {
            launcher.destroyForcibly();
        }
    }

    @Test
    void aChildWhoseLauncherEndedBeforeItLookedStopsAtOnce() throws Exception {
        Process launcher = new ProcessBuilder("true").start();
        assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
        CountDownLatch stopped = new CountDownLatch(1);

        SharedArchiveLauncher.stopWhenLauncherExits(Long.toString(launcher.pid()), stopped::countDown);

        assertThat(stopped.getCount()).as("stopped at once: its parent is no longer the launcher").isZero();
    }

    @Test
    void anEngineThatTookItsLaunchersPlaceWatchesNothing() {
        CountDownLatch stopped = new CountDownLatch(1);

        // the launcher's id on the command line is this process's own once the engine's JVM replaced it (execve)
        SharedArchiveLauncher.stopWhenLauncherExits(Long.toString(ProcessHandle.current().pid()), stopped::countDown);

        assertThat(stopped.getCount()).isEqualTo(1);
    }

    @Test
    void anEngineWithoutALauncherIsNeverStoppedByThisWatch() {
        CountDownLatch stopped = new CountDownLatch(1);

        SharedArchiveLauncher.stopWhenLauncherExits(null, stopped::countDown);

        assertThat(stopped.getCount()).isEqualTo(1);
    }
}

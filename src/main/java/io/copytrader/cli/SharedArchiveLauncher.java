package io.copytrader.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Application class-data sharing for {@code java -jar copytrader.jar} without any flag: the engine runs in a child
 * JVM started with the jar's class archive (JDK 17 AppCDS), which loads the ~10,000 classes of Camel, Vert.x and the
 * engine from a memory-mapped archive instead of parsing and verifying them from the jar (about 40 % less CPU to
 * health UP on a 2-core machine).
 *
 * <p>The archive is {@code copytrader.jsa} beside the jar. With none (a fresh build) the child is started with
 * {@code -XX:ArchiveClassesAtExit} and the JVM writes the archive when that run ends normally; it is kept only if
 * the run exited 0, so a killed run leaves nothing half-written. The archive is tied to the jar and the JVM by a key
 * in {@code copytrader.jsa.key} (JVM, jar size and time): a rebuilt jar or another JDK makes a new one, never a
 * mismatched load. {@code COPYTRADER_CDS=off}, a jar folder that cannot be written, a class path of folders (tests,
 * IDEs) or CDS flags of the user's own run the engine in this JVM as before.
 *
 * <p>With the archive made, the engine's JVM replaces this one on Linux ({@link ProcessReplacement}, execve): one
 * process, one JVM, no launcher left waiting. Elsewhere, and for the run that makes the archive (whose end this JVM
 * must see, to keep the archive or not), the engine runs in a child JVM and the parent only waits: SIGTERM and
 * SIGINT are passed to the child (whose graceful stop is the engine's), the child's exit code is the process's, and
 * a child whose parent is gone stops gracefully.
 *
 * <p>The launch path (from {@link #relaunch} to the child's start) uses no lambda, stream or {@code +} on strings: in
 * a JVM that has just started, each of those first bootstraps {@code invokedynamic}'s machinery (dozens of generated
 * classes), about 50 ms of every launch before the child could start (measured with the class-loading log).
 */
public final class SharedArchiveLauncher {
    /**
     * The engine's JIT compiler: C1 only. On a small machine C2 compiles Camel's, Vert.x's and the engine's hot code for
     * minutes after the start, on the same cores the engine needs: half the CPU to health UP, most of the idle CPU in
     * the first minutes, and in the bench's first steps a third of the CPU per copied trade. Once C2 has settled (a
     * minute or more of sustained load), its code costs about a quarter less per copied trade than C1's at 1,000/s
     * (measured with bench; README "Performance"): COPYTRADER_JIT=c2, or a compiler flag of the user's own, leaves the
     * JVM's default, for an engine that copies hundreds of trades a second for long stretches.
     */
    static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

    /**
     * C1 compiles a method after a twentieth of the calls and loops it would otherwise wait for. The idle engine's work
     * is a few calls a second (a poll every 200 ms, the monitor every 500 ms), so at the JVM's thresholds its code stays
     * interpreted for minutes and an empty poll costs twice what it costs compiled: measured, the idle engine's CPU in
     * its first minute fell by half at a tenth, for about 0.2 s more to health UP; a twentieth took another 9 % off
     * the idle engine's CPU a minute or two after the launch (session 38, engines run side by side), the launch the
     * same (README "Performance"). Added with {@link #C1_ONLY} unless the user set the scaling.
     */
    static final String EARLY_COMPILE = "-XX:CompileThresholdScaling=0.05";

    /**
     * One C1 compiler thread instead of the JVM's two on a 2-core machine. At a launch C1 compiles thousands of
     * start-up methods ({@link #EARLY_COMPILE} makes them hot sooner): two compiler threads took about 1.5 s of CPU by
     * the first copy, as much as the engine's own threads, on the two cores the start needs. With one they took about
     * 1 s and the first copy came 0.3-0.5 s sooner; the idle engine's CPU a minute later was the same (README
     * "Performance", session 37). Added with {@link #C1_ONLY} unless the user set the count.
     */
    static final String ONE_COMPILER_THREAD = "-XX:CICompilerCount=1";

    /**
     * No hsperfdata: the JVM's periodic task thread samples its performance counters every 50 ms for jps and jstat,
     * about a third of a per cent of a core in an idle engine (measured with the per-thread CPU of /proc). jcmd, JMX,
     * Jolokia and JFR work without them; jps and jstat no longer list the engine. -XX:+UsePerfData keeps them.
     */
    static final String NO_PERF_DATA = "-XX:-UsePerfData";

    /**
     * The engine exits when the heap runs out rather than running on with some of its threads dead: an
     * OutOfMemoryError that escapes a timer's task ends that timer's thread (the feed's polls, or the monitor's, would
     * stop while the rest of the engine, its health among it, carries on). Exiting is safe: the store is what a
     * restart recovers from, as after kill -9 (docs/store.md), and a supervisor restarts the engine.
     * Not added when the user chose an out-of-memory behaviour of their own.
     */
    static final String EXIT_ON_OUT_OF_MEMORY = "-XX:+ExitOnOutOfMemoryError";

    /**
     * G1's service thread samples the young regions' remembered sets every 3 s instead of every 300 ms (the samples
     * refine its prediction of a young collection's pause). In an idle engine that thread took 0.8 ms of CPU a second;
     * at 3 s it took 0.1 ms (per-thread CPU of /proc, session 39). Only on the JDKs that have the flag (17 to 19):
     * a later one would refuse to start on an option it no longer knows. Not added when the user set it.
     */
    static final String SLOWER_G1_SAMPLING = "-XX:G1ConcRefinementServiceIntervalMillis=3000";

    /**
     * The monitor deflation thread looks for idle monitors to free every 2 s instead of every 250 ms: in an idle
     * engine it took 0.6 ms of CPU a second, 0.2 ms at 2 s (session 39). The JVM still deflates at least once a minute
     * and whenever monitors in use near its ceiling. The flag is a diagnostic one (JDK 17 to 21). Not added when the
     * user set it.
     */
    static final List<String> SLOWER_MONITOR_DEFLATION =
            List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:AsyncDeflationInterval=2000");

    /** Set on the child's command line; the child runs the engine itself. */
    public static final String CHILD_PROPERTY = "copytrader.cds.child";
    /** The launcher's own variables (no engine setting): class-data sharing off, and the JVM's default JIT. */
    public static final String CDS_VARIABLE = "COPYTRADER_CDS";
    public static final String JIT_VARIABLE = "COPYTRADER_JIT";
    private static final String ARCHIVE_SUFFIX = ".jsa";
    /**
     * Where sqlite-jdbc loads its native library from when set. Without it, sqlite-jdbc copies the library out of
     * the jar into the temp folder at every start, reads both copies back byte by byte to compare them, and runs
     * {@code uname} to tell Android from Linux: about a tenth of a second of every start.
     */
    static final String SQLITE_LIBRARY_PATH = "org.sqlite.lib.path";
    /** The folder beside the archive that holds the native libraries unpacked for it. */
    private static final String NATIVE_SUFFIX = ".native";

    private SharedArchiveLauncher() {
    }

    /**
     * What to do for this start.
     *
     * @param natives the folder of the native libraries unpacked for the archive (a training run unpacks them anew)
     */
    public record Plan(List<String> command, Path archive, Path training, String key, Path natives) {
        /** Whether this start writes the archive (the child runs with ArchiveClassesAtExit). */
        public boolean trains() {
            return training != null;
        }
    }

    /**
     * Runs the engine in a child JVM with the class archive when that applies; the child's exit code, or empty when
     * the engine should run in this JVM.
     */
    public static OptionalInt relaunch(String[] args) {
        Optional<Plan> plan = plan(args, ENVIRONMENT, System.getProperty(CHILD_PROPERTY) != null,
                commandLine(), jarOfThisClass(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                join(System.getProperty("java.vm.vendor"), " ", System.getProperty("java.vm.version"), " ",
                        System.getProperty("java.home")));
        if (plan.isEmpty()) {
            return OptionalInt.empty();
        }
        if (!plan.get().trains()) {
            // returns only when the engine's JVM could not take this one's place: then it runs as a child
            String notReplaced = ProcessReplacement.replaceWith(plan.get().command(), System.getenv(),
                    plan.get().natives());
            if (!ProcessReplacement.NOT_LINUX.equals(notReplaced)) {
                System.err.println(join("copytrader: the engine runs in a child JVM (", notReplaced, ")"));
            }
        }
        try {
            return OptionalInt.of(run(plan.get()));
        } catch (IOException e) {
            System.err.println(join("copytrader: class-data sharing unavailable (", e.getMessage(),
                    "); starting without it"));
            return OptionalInt.empty();
        }
    }

    /** {@code System.getenv}, as a class of its own rather than a method reference (see the class's note). */
    private static final Function<String, String> ENVIRONMENT = new Function<>() {
        @Override
        public String apply(String name) {
            return System.getenv(name);
        }
    };

    /** The strings one after the other (see the class's note on {@code +}). */
    static String join(String... parts) {
        StringBuilder b = new StringBuilder();
        for (String part : parts) {
            b.append(part);
        }
        return b.toString();
    }

    /**
     * This process's arguments after the {@code java} program: on Linux from {@code /proc/self/cmdline}, which needs
     * none of the threads and lambdas of {@code ProcessHandle.info()}; elsewhere from that.
     */
    static List<String> commandLine() {
        Path proc = Path.of("/proc/self/cmdline");
        if (Files.isReadable(proc)) {
            try {
                List<String> arguments = splitCommandLine(Files.readAllBytes(proc));
                if (!arguments.isEmpty()) {
                    return arguments.subList(1, arguments.size());
                }
            } catch (IOException | RuntimeException e) {
                // fall back to the JDK's view
            }
        }
        Optional<String[]> arguments = ProcessHandle.current().info().arguments();
        return arguments.isPresent() ? Arrays.asList(arguments.get()) : List.of();
    }

    /** The NUL-terminated strings of a {@code /proc/<pid>/cmdline}, program first. */
    static List<String> splitCommandLine(byte[] cmdline) {
        List<String> arguments = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= cmdline.length; i++) {
            if (i == cmdline.length || cmdline[i] == 0) {
                if (i > start || i < cmdline.length) {
                    arguments.add(new String(cmdline, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return arguments;
    }

    /**
     * The child's command, or empty to run here.
     *
     * @param commandLine    this process's arguments after the {@code java} program, as the OS has them
     * @param vm             the JVM's identity (vendor, version, home): an archive made by another JVM is not used
     */
    static Optional<Plan> plan(String[] args, Function<String, String> environment, boolean isChild,
                               List<String> commandLine, Optional<Path> jar, String javaBinary, String vm) {
        String setting = environment.apply(CDS_VARIABLE);
        if (isChild || args.length > 0 || jar.isEmpty() || "off".equalsIgnoreCase(setting)
                || "false".equalsIgnoreCase(setting)) {
            return Optional.empty();
        }
        List<String> jvmArguments = jvmOptions(commandLine);
        boolean compilerChosen = false;
        boolean scalingChosen = false;
        boolean compilerThreadsChosen = false;
        boolean perfDataChosen = false;
        boolean outOfMemoryChosen = false;
        boolean sqlitePathChosen = false;
        boolean g1SamplingChosen = false;
        boolean deflationChosen = false;
        for (String argument : jvmArguments) {
            if (isSharingFlag(argument)) {
                return Optional.empty();
            }
            compilerChosen |= isCompilerFlag(argument);
            scalingChosen |= argument.contains("CompileThresholdScaling");
            compilerThreadsChosen |= argument.contains("CICompilerCount");
            perfDataChosen |= argument.contains("UsePerfData");
            outOfMemoryChosen |= argument.contains("OutOfMemoryError");
            sqlitePathChosen |= argument.startsWith(join("-D", SQLITE_LIBRARY_PATH, "="));
            g1SamplingChosen |= argument.contains("G1ConcRefinementServiceIntervalMillis");
            deflationChosen |= argument.contains("AsyncDeflationInterval");
        }
        Path jarPath = jar.get().toAbsolutePath();
        Path folder = jarPath.getParent();
        String jarName = jarPath.getFileName().toString();
        String base = jarName.substring(0, jarName.length() - ".jar".length());
        Path archive = folder.resolve(base.concat(ARCHIVE_SUFFIX));
        Path natives = folder.resolve(base.concat(NATIVE_SUFFIX));
        String key;
        try {
            key = join(vm, " | ", Long.toString(Files.size(jarPath)), " | ",
                    Long.toString(Files.getLastModifiedTime(jarPath).toMillis()));
        } catch (IOException e) {
            return Optional.empty();
        }
        List<String> command = new ArrayList<>();
        command.add(javaBinary);
        command.addAll(jvmArguments);
        if (!"c2".equalsIgnoreCase(environment.apply(JIT_VARIABLE)) && !compilerChosen) {
            command.add(C1_ONLY);
            if (!scalingChosen) {
                command.add(EARLY_COMPILE);
            }
            if (!compilerThreadsChosen) {
                command.add(ONE_COMPILER_THREAD);
            }
        }
        if (!perfDataChosen) {
            command.add(NO_PERF_DATA);
        }
        if (!outOfMemoryChosen) {
            command.add(EXIT_ON_OUT_OF_MEMORY);
        }
        int feature = Runtime.version().feature();
        if (!g1SamplingChosen && feature <= 19) {
            command.add(SLOWER_G1_SAMPLING);
        }
        if (!deflationChosen && feature <= 21) {
            command.addAll(SLOWER_MONITOR_DEFLATION);
        }
        Path training = null;
        if (key.equals(readKey(archive)) && Files.isRegularFile(archive)) {
            command.add(join("-XX:SharedArchiveFile=", archive.toString()));
            // unpacked by the run that made this archive, so from this jar
            if (Files.isRegularFile(natives.resolve(sqliteLibraryName())) && !sqlitePathChosen) {
                command.add(join("-D", SQLITE_LIBRARY_PATH, "=", natives.toString()));
            }
        } else if (Files.isWritable(folder)) {
            training = folder.resolve(join(archive.getFileName().toString(), ".",
                    Long.toString(ProcessHandle.current().pid()), ".tmp"));
            command.add(join("-XX:ArchiveClassesAtExit=", training.toString()));
            // the JVM lists every class it leaves out of the archive (old bytecode, failed verification) as a warning
            command.add("-Xlog:cds*=error");
        } else {
            return Optional.empty();
        }
        // the launcher's id, which the child watches: a parent read by the child itself could already be init's
        command.add(join("-D", CHILD_PROPERTY, "=", Long.toString(ProcessHandle.current().pid())));
        command.add("-cp");
        command.add(jarPath.toString());
        command.add(io.copytrader.CopyTraderCli.class.getName());
        command.addAll(Arrays.asList(args));
        return Optional.of(new Plan(List.copyOf(command), archive, training, key, natives));
    }

    /** Options that take the next argument as their value. */
    private static final List<String> OPTIONS_WITH_VALUE = List.of("--add-opens", "--add-exports", "--add-reads",
            "--add-modules", "--limit-modules", "--patch-module", "--upgrade-module-path", "--module-path", "-p",
            "--enable-native-access");

    /**
     * The JVM options of a {@code java} command line (without the program, its class path, main class or jar, and
     * their arguments). Options from JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS are not on it: the child reads those
     * variables itself.
     */
    static List<String> jvmOptions(List<String> commandLine) {
        List<String> options = new ArrayList<>();
        for (int i = 0; i < commandLine.size(); i++) {
            String argument = commandLine.get(i);
            if (argument.equals("-jar") || !argument.startsWith("-") && !argument.startsWith("@")) {
                break;
            }
            if (argument.equals("-cp") || argument.equals("-classpath") || argument.equals("--class-path")) {
                i++;
            } else if (OPTIONS_WITH_VALUE.contains(argument) && i + 1 < commandLine.size()) {
                options.add(argument);
                options.add(commandLine.get(++i));
            } else {
                options.add(argument);
            }
        }
        return options;
    }

    /** A choice of JIT compiler of the user's own: theirs is kept, and {@link #C1_ONLY} not added. */
    private static boolean isCompilerFlag(String argument) {
        return argument.contains("Tiered") || argument.equals("-Xint") || argument.equals("-Xcomp")
                || argument.contains("CompilationMode") || argument.equals("-client") || argument.equals("-server");
    }

    private static boolean isSharingFlag(String argument) {
        return argument.startsWith("-Xshare") || argument.startsWith("-XX:SharedArchiveFile")
                || argument.startsWith("-XX:ArchiveClassesAtExit") || argument.startsWith("-XX:SharedClassListFile")
                || argument.startsWith("-XX:DumpLoadedClassList") || argument.contains("UseSharedSpaces");
    }

    /** The key an archive was made for, or null when it has none. */
    static String readKey(Path archive) {
        try {
            return Files.readString(keyFile(archive), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        }
    }

    private static Path keyFile(Path archive) {
        return archive.resolveSibling(archive.getFileName().toString().concat(".key"));
    }

    static int run(Plan plan) throws IOException {
        if (plan.trains()) {
            removeAbandonedTraining(plan.archive());
            clear(plan.natives()); // what an archive of another jar was made with
        }
        Process child = new ProcessBuilder(plan.command()).inheritIO().start();
        if (plan.trains()) {
            unpackSqliteLibrary(plan.natives()); // while the child starts; used from the next start on
            unpackJnaLibrary(plan.natives());
        }
        // a terminal's Ctrl-C reaches both processes; a kill of this one alone is passed on: the child stops gracefully
        sun.misc.SignalHandler passOn = new sun.misc.SignalHandler() {
            @Override
            public void handle(sun.misc.Signal signal) {
                child.destroy();
            }
        };
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), passOn);
            } catch (IllegalArgumentException e) {
                // a signal this platform does not have
            }
        }
        int exit;
        while (true) {
            try {
                exit = child.waitFor();
                break;
            } catch (InterruptedException e) {
                child.destroy();
            }
        }
        if (plan.trains()) {
            keep(plan, exit);
        }
        return exit;
    }

    /** Keeps the archive a training run wrote if it ended normally; removes a partial one. */
    private static void keep(Plan plan, int exit) {
        try {
            if (exit == 0 && Files.isRegularFile(plan.training()) && Files.size(plan.training()) > 0) {
                Files.move(plan.training(), plan.archive(), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                Path key = keyFile(plan.archive());
                Path keyTemp = key.resolveSibling(key.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
                Files.writeString(keyTemp, plan.key() + "\n", StandardCharsets.UTF_8);
                Files.move(keyTemp, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.deleteIfExists(plan.training());
            }
        } catch (IOException e) {
            System.err.println("copytrader: the class archive was not kept (" + e.getMessage() + ")");
        }
    }

    /** The file name sqlite-jdbc looks for under {@link #SQLITE_LIBRARY_PATH}. */
    static String sqliteLibraryName() {
        return org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
    }

    /**
     * Copies the SQLite library this platform loads out of the jar into the folder (the same choice of library
     * sqlite-jdbc makes), whole or not at all. Best effort: without it the engine unpacks its own as before.
     */
    static void unpackSqliteLibrary(Path natives) {
        try {
            unpackLibrary(natives, org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/"
                    + sqliteLibraryName(), sqliteLibraryName());
        } catch (IOException | RuntimeException | LinkageError e) {
            System.err.println("copytrader: the SQLite library was not unpacked for the next start (" + e + ")");
        }
    }

    /**
     * Copies JNA's own library out of the jar into the folder, as {@link #unpackSqliteLibrary} does SQLite's: the
     * launch that replaces this JVM with the engine's ({@link ProcessReplacement}) loads it from there rather than
     * unpacking it into a temporary file at every start.
     */
    static void unpackJnaLibrary(Path natives) {
        try {
            unpackLibrary(natives, ProcessReplacement.libraryResource(), ProcessReplacement.libraryName());
        } catch (IOException | RuntimeException | LinkageError e) {
            System.err.println("copytrader: JNA's library was not unpacked for the next start (" + e + ")");
        }
    }

    /** Copies a resource of the jar into the folder, whole or not at all; nothing when the jar has no such resource. */
    private static void unpackLibrary(Path natives, String resource, String name) throws IOException {
        try (InputStream in = SharedArchiveLauncher.class.getResourceAsStream(resource)) {
            if (in == null) {
                return; // no library for this platform in the jar: its user finds its own
            }
            Files.createDirectories(natives);
            Path library = natives.resolve(name);
            Path temp = natives.resolve(library.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, library, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Empties the folder of unpacked libraries, if there is one. */
    private static void clear(Path natives) {
        try (var files = Files.list(natives)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            // none yet, or nothing to remove
        }
    }

    /** Removes archives half-made by training runs whose launcher was killed (their process is gone). */
    static void removeAbandonedTraining(Path archive) {
        String prefix = archive.getFileName() + ".";
        try (var siblings = Files.list(archive.getParent())) {
            for (Path p : (Iterable<Path>) siblings::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(".tmp")) {
                    String pid = name.substring(prefix.length(), name.length() - ".tmp".length());
                    if (pid.chars().allMatch(Character::isDigit) && !pid.isEmpty()
                            && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // a leftover file is only disk space
        }
    }

    /** Stops the engine gracefully when the launcher that started it is gone (it was killed). */
    public static void stopWhenParentExits(Runnable stop) {
        stopWhenLauncherExits(System.getProperty(CHILD_PROPERTY), stop);
    }

    /**
     * Runs {@code stop} when the launcher {@code launcher} names (its process id, from {@link #CHILD_PROPERTY}) ends,
     * and at once when it has ended already: a launcher killed before the child looked would otherwise leave an engine
     * trading with no parent to stop it (the child's parent is then init, or a subreaper, which never ends). Nothing
     * when {@code launcher} is null (no launcher); a value that is no process id (an older launcher's {@code true})
     * watches the child's parent as before. Nothing either when {@code launcher} is this process: the engine's JVM
     * took the launcher's place ({@link ProcessReplacement}).
     */
    static void stopWhenLauncherExits(String launcher, Runnable stop) {
        if (launcher == null) {
            return;
        }
        Optional<ProcessHandle> watched;
        try {
            watched = ProcessHandle.of(Long.parseLong(launcher));
        } catch (NumberFormatException notAnId) {
            watched = ProcessHandle.current().parent();
        }
        if (watched.isEmpty()) {
            stop.run();
            return;
        }
        if (watched.get().pid() == ProcessHandle.current().pid()) {
            return; // the launcher became the engine (execve): no other process to watch
        }
        watched.get().onExit().thenRun(stop);
    }

    /** The jar this code runs from; empty on a class path of folders (tests, IDEs). */
    public static Optional<Path> jarOfThisClass() {
        try {
            var source = SharedArchiveLauncher.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            Path path = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar")
                    ? Optional.of(path) : Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}

package io.copytrader.cli;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Replaces this process with another program ({@code execve}), on Linux: the engine's JVM takes the launcher's place
 * instead of running as its child. The process keeps its id, its terminal, its standard streams and its parent: a
 * Ctrl-C, a SIGTERM from a supervisor or a container's stop reaches the engine itself, and its exit code is the
 * command's. No launcher JVM stays behind to wait: before, that JVM took 0.18-0.23 % of a core for as long as the
 * engine ran (its performance counters sampled every 50 ms, G1's and monitor deflation's background threads) and
 * 50 MB of memory (README "Performance", session 45).
 *
 * <p>The JDK cannot exec: this calls the C library through JNA. Descriptors this JVM opened (the jar, the JDK's
 * modules) are marked close-on-exec first, so the engine inherits only the standard streams, as a child started by
 * {@link ProcessBuilder} does. Like the launch path of {@link SharedArchiveLauncher}, no lambda or {@code +} on strings.
 */
final class ProcessReplacement {
    /** What {@link #replaceWith} answers where it does not apply: anywhere but Linux. */
    static final String NOT_LINUX = "not on Linux";
    /**
     * Where JNA looks for libraries by name. Unset, JNA fills it at its first use by running {@code ldconfig -p}, a
     * tenth of a second of the launch; only this process's own symbols are used here.
     */
    private static final String PLATFORM_LIBRARY_PATH = "jna.platform.library.path";
    /** Where JNA loads its own library from when set, instead of unpacking it from the jar into a temporary file. */
    private static final String BOOT_LIBRARY_PATH = "jna.boot.library.path";
    private static final int F_SETFD = 2;
    private static final int ITIMER_REAL = 0;
    private static final int ITIMER_PROF = 2;
    private static final int SIG_SETMASK = 2;
    /** glibc's sigset_t (1,024 bits), larger than an itimerval (four longs). */
    private static final int SIGSET_BYTES = 128;
    private static final int FD_CLOEXEC = 1;

    private ProcessReplacement() {
    }

    /**
     * Runs {@code command} in place of this process, with this environment. Returns only when that could not be done
     * (not Linux, no JNA for this platform, execve refused): why, so the caller can start a child instead.
     *
     * @param natives the folder JNA's library was unpacked to by the run that made the class archive
     *                ({@link SharedArchiveLauncher#unpackJnaLibrary}), if it was
     */
    static String replaceWith(List<String> command, Map<String, String> environment, Path natives) {
        if (!Platform.isLinux()) {
            return NOT_LINUX;
        }
        if (System.getProperty(BOOT_LIBRARY_PATH) == null && Files.isRegularFile(natives.resolve(libraryName()))) {
            System.setProperty(BOOT_LIBRARY_PATH, natives.toString()); // unpacked by the run that made the archive
        }
        Function execve;
        Function fcntl;
        Function setitimer;
        Function sigmask;
        try {
            // the C library's functions as this process has them linked (the JVM's): no library file to search for
            if (System.getProperty(PLATFORM_LIBRARY_PATH) == null) {
                System.setProperty(PLATFORM_LIBRARY_PATH, "");
            }
            NativeLibrary process = NativeLibrary.getProcess();
            execve = process.getFunction("execve");
            fcntl = process.getFunction("fcntl");
            setitimer = process.getFunction("setitimer");
            sigmask = process.getFunction("pthread_sigmask");
        } catch (LinkageError | RuntimeException e) {
            return SharedArchiveLauncher.join("the C library could not be loaded: ", String.valueOf(e));
        }
        closeOnExec(fcntl);
        startClean(setitimer, sigmask);
        String[] argv = command.toArray(new String[0]);
        String[] envp = new String[environment.size()];
        int i = 0;
        for (Map.Entry<String, String> variable : environment.entrySet()) {
            envp[i++] = SharedArchiveLauncher.join(variable.getKey(), "=", variable.getValue());
        }
        System.out.flush();
        System.err.flush();
        // a String[] goes to C as a NULL-terminated char*[]
        execve.invokeInt(new Object[] {argv[0], argv, envp});
        return SharedArchiveLauncher.join("execve failed with errno ", Integer.toString(Native.getLastError()));
    }

    /** JNA's library for this platform, as a resource of the jar. */
    static String libraryResource() {
        return SharedArchiveLauncher.join("/com/sun/jna/", Platform.RESOURCE_PREFIX, "/", libraryName());
    }

    /** The file name of JNA's library on this platform. */
    static String libraryName() {
        return System.mapLibraryName("jnidispatch");
    }

    /**
     * Leaves the new program none of this JVM's timers or blocked signals, as a child started by {@link ProcessBuilder}
     * has none. Interval timers survive an exec, and the signal they send does not keep its handler: a profiler's
     * timer here (async-profiler's SIGPROF, given through JAVA_TOOL_OPTIONS, which the engine's JVM reads too) killed
     * the engine's JVM before that JVM's own profiler had started. And a signal blocked in this thread would stay
     * blocked in the engine's first thread.
     */
    private static void startClean(Function setitimer, Function sigmask) {
        Memory zeros = new Memory(SIGSET_BYTES); // an itimerval of zeros (a timer off), and an empty signal set
        zeros.clear();
        for (int timer = ITIMER_REAL; timer <= ITIMER_PROF; timer++) {
            setitimer.invokeInt(new Object[] {timer, zeros, null});
        }
        sigmask.invokeInt(new Object[] {SIG_SETMASK, zeros, null});
    }

    /**
     * Marks every descriptor above the standard streams close-on-exec. One that cannot be marked stays open in the
     * engine, which is harmless (a read-only jar, a descriptor of the JDK's).
     */
    private static void closeOnExec(Function fcntl) {
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path descriptor : descriptors) {
                int fd;
                try {
                    fd = Integer.parseInt(descriptor.getFileName().toString());
                } catch (NumberFormatException notADescriptor) {
                    continue;
                }
                if (fd > 2) {
                    fcntl.invokeInt(new Object[] {fd, F_SETFD, FD_CLOEXEC});
                }
            }
        } catch (IOException | RuntimeException e) {
            // the descriptors stay open in the engine: harmless
        }
    }
}

package io.copytrader.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JVM that replaces itself with {@code /bin/sh -c <script>} through {@link ProcessReplacement}, for
 * {@link ProcessReplacementTest}: it prints a line first (flushed before the exec), opens a file it never closes (a
 * descriptor the shell must not inherit), and passes one variable more than its own environment; with a third
 * argument {@code alarm}, it sets a timer that would kill the shell a second after the exec if the shell inherited it. When the replacement
 * fails it says why and exits 99.
 */
public final class ReplacingProgram {
    private ReplacingProgram() {
    }

    public static void main(String[] args) throws Exception {
        System.out.print("before the exec;");
        java.io.InputStream kept = new java.io.FileInputStream("/proc/self/cmdline"); // open across the exec
        if (args.length > 2 && args[2].equals("alarm")) {
            // a timer of this JVM's, due a second from now: SIGALRM kills a process that has no handler for it
            com.sun.jna.Memory in1s = new com.sun.jna.Memory(32);
            in1s.clear();
            in1s.setLong(16, 1); // it_value.tv_sec
            com.sun.jna.NativeLibrary.getProcess().getFunction("setitimer").invokeInt(new Object[] {0, in1s, null});
        }
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put("COPYTRADER_REPLACED", "yes");
        String why = ProcessReplacement.replaceWith(List.of("/bin/sh", "-c", args[0]), environment, Path.of(args[1]));
        System.out.println("not replaced: " + why + " " + kept.available());
        System.exit(99);
    }
}

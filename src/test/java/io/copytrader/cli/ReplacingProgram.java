package io.copytrader.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JVM that replaces itself with {@code /bin/sh -c <script>} through {@link ProcessReplacement}, for
 * {@link ProcessReplacementTest}: it prints a line first (flushed before the exec), opens a file it never closes (a
 * descriptor the shell must not inherit), and passes one variable more than its own environment. When the replacement
 * fails it says why and exits 99.
 */
public final class ReplacingProgram {
    private ReplacingProgram() {
    }

    public static void main(String[] args) throws Exception {
        System.out.print("before the exec;");
        java.io.InputStream kept = new java.io.FileInputStream("/proc/self/cmdline"); // open across the exec
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put("COPYTRADER_REPLACED", "yes");
        String why = ProcessReplacement.replaceWith(List.of("/bin/sh", "-c", args[0]), environment, Path.of(args[1]));
        System.out.println("not replaced: " + why + " " + kept.available());
        System.exit(99);
    }
}

package io.copytrader.cli;

import java.util.HashMap;
import java.util.Map;

/**
 * Runs the startup configuration check once per case in one JVM (a child process of {@link ConfigValidationTest}):
 * each argument is {@code NAME=value[;NAME=value...]} standing for the process environment; prints one line per case,
 * {@code OK} or the error.
 */
public final class ConfigCheckBatch {
    private ConfigCheckBatch() {
    }

    public static void main(String[] args) {
        for (String c : args) {
            Map<String, String> env = new HashMap<>();
            env.put("STORE_URL", "memory");
            for (String pair : c.split(";")) {
                int eq = pair.indexOf('=');
                env.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            String error = ConfigCheck.firstError(RunCommand.PROPERTY_LOCATIONS, env::get);
            System.out.println("CASE " + (error == null ? "OK" : error.replace("\n", "\\n")));
        }
    }
}

package io.copytrader.cli;

import io.copytrader.engine.StartupFailure;
import org.apache.camel.main.Main;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Runs the engine: a plain Camel Main over routes/ and application.properties in the working directory, nothing
 * more (the same thing `camel run` does). Exit code 0 after a graceful stop, 2 for a configuration error.
 */
public final class RunCommand implements Callable<Integer> {
    /** Where the properties come from: the jar's defaults, overridden by ./application.properties. */
    public static final String PROPERTY_LOCATIONS =
            "classpath:application.properties;optional=true,file:application.properties;optional=true";

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(Path.of("routes"))) {
            System.err.println("copytrader: no routes/ folder in " + Path.of("").toAbsolutePath()
                    + "; run from the project folder (routes are loaded from routes/*.camel.yaml)");
            return 2;
        }
        String invalid = ConfigCheck.firstError(PROPERTY_LOCATIONS);
        if (invalid != null) {
            System.err.println("copytrader: " + invalid);
            return 2;
        }
        Main main = new Main();
        main.setPropertyPlaceholderLocations(PROPERTY_LOCATIONS);
        // SIGTERM/SIGINT start the graceful stop (detection first, then the drain) and the process exits 0
        // afterwards, rather than the JVM's 143 for a signal
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> main.completed());
        }
        SharedArchiveLauncher.stopWhenParentExits(main::completed);
        try {
            main.run();
        } catch (Exception e) {
            RuntimeException failure = StartupFailure.take();
            if (failure == null) {
                throw e;
            }
            System.err.println("copytrader: " + failure.getMessage());
            return 2;
        }
        RuntimeException failure = StartupFailure.take();
        if (failure != null) {
            System.err.println("copytrader: " + failure.getMessage());
            return 2;
        }
        return main.getExitCode();
    }
}

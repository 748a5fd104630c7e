package io.copytrader.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.copytrader.engine.StartupFailure;
import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;

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
        // every setting and the store are checked on a thread of their own while Camel Main takes its first steps
        // (reading properties and routes, nothing opened yet); the engine's configuration waits for the verdict
        // before it opens the store or starts anything, and a bad setting stops the start there. What Camel Main
        // logs meanwhile is held until the verdict: printed when valid, dropped when not (one line, as before).
        // Logging is set up first, here: the check silences its own thread through it.
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        HeldLogs held = HeldLogs.holdOn(logging, Thread.currentThread());
        FutureTask<String> check = new FutureTask<>(() -> ConfigCheck.firstError(PROPERTY_LOCATIONS));
        Thread checking = new Thread(check, "copytrader-config-check");
        checking.setDaemon(true);
        checking.start();
        StartupFailure.checking(check, held::release);
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
            String invalid = failure != null ? failure.getMessage() : StartupFailure.verdict(check);
            if (invalid == null) {
                held.release(); // Camel Main failed before the engine's configuration: its lines tell why
                throw e;
            }
            return refuse(invalid, held, logging);
        }
        RuntimeException failure = StartupFailure.take();
        if (failure != null) {
            return refuse(failure.getMessage(), held, logging);
        }
        return main.getExitCode();
    }

    /** A configuration error: its one line, and nothing from an engine that never started (exit code 2). */
    private static int refuse(String invalid, HeldLogs held, LoggerContext logging) {
        held.discard();
        logging.getLogger("org.apache.camel.main").setLevel(Level.OFF); // its exit hook would say it shut down
        System.err.println("copytrader: " + invalid);
        return 2;
    }
}

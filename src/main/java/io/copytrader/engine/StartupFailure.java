package io.copytrader.engine;

import io.copytrader.config.InvalidSettingException;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Remembers a configuration error raised while Camel Main was starting, so the launcher can print it plainly and
 * exit with code 2 however Camel reported it; and holds the verdict of a check of the whole configuration that the
 * launcher runs beside Camel Main's first steps, which the engine waits for before it opens anything.
 */
public final class StartupFailure {
    private static final AtomicReference<RuntimeException> LAST = new AtomicReference<>();
    private static final AtomicReference<Check> CHECK = new AtomicReference<>();

    private record Check(Future<String> verdict, Runnable whenValid) {
    }

    private StartupFailure() {
    }

    public static void record(RuntimeException e) {
        LAST.set(e);
    }

    /** The configuration error of the last start, or null; clears it. */
    public static RuntimeException take() {
        return LAST.getAndSet(null);
    }

    /**
     * A configuration check under way: its verdict is the first error, or null when everything is valid; whenValid
     * runs on the waiting thread once the verdict says so.
     */
    public static void checking(Future<String> verdict, Runnable whenValid) {
        CHECK.set(new Check(verdict, whenValid));
    }

    /** Waits for a check's verdict: its first error, null when everything is valid; a check that broke is an error. */
    public static String verdict(Future<String> check) {
        try {
            return check.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the configuration was being checked", e);
        } catch (ExecutionException e) {
            return "configuration could not be read: " + e.getCause();
        }
    }

    /**
     * Waits for the verdict of the check under way, if there is one; an error is recorded and thrown as an
     * {@link InvalidSettingException}. Without a check (a plain Camel Main, {@code camel run}) it returns at once.
     *
     * @return whether there was a check (false: the caller checks what it must itself)
     */
    public static boolean awaitCheck() {
        Check check = CHECK.getAndSet(null);
        if (check == null) {
            return false;
        }
        String error = verdict(check.verdict());
        if (error != null) {
            InvalidSettingException invalid = new InvalidSettingException(error);
            record(invalid);
            throw invalid;
        }
        check.whenValid().run();
        return true;
    }
}

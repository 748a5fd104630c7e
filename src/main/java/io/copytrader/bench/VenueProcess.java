package io.copytrader.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The paper venue in its own JVM ({@code java -cp <our classpath> io.copytrader.CopyTraderCli paper-venue ...}), so
 * the bench measures the engine over real loopback HTTP with the venue's CPU and GC apart from the engine's. Closing
 * it stops the process (SIGTERM, then SIGKILL); the venue also stops by itself when this process ends without
 * closing it (killed, or a crash of its JVM): it is started with {@code --stop-with-pid} of this process.
 */
final class VenueProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final String baseUrl;

    private VenueProcess(Process process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    /** Starts a venue with the given paper-venue arguments and returns once it printed its base URL. */
    static VenueProcess start(List<String> jvmOptions, List<String> venueArgs) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.copytrader.CopyTraderCli");
        command.add("paper-venue");
        command.addAll(venueArgs);
        command.addAll(List.of("--stop-with-pid", Long.toString(ProcessHandle.current().pid())));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("http://")) {
                        return line.trim();
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String url;
        try {
            url = firstLine.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while starting the paper venue", e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("the paper venue did not print its URL within " + START_TIMEOUT.toSeconds() + " s", e);
        }
        if (url == null) {
            process.destroyForcibly();
            throw new IOException("the paper venue exited before printing its URL (exit code "
                    + (process.isAlive() ? "?" : process.exitValue()) + ")");
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe empty so the venue never blocks on its own output
                }
            } catch (IOException e) {
                // the venue exited
            }
        }, "paper-venue-output");
        drain.setDaemon(true);
        drain.start();
        return new VenueProcess(process, url);
    }

    String baseUrl() {
        return baseUrl;
    }

    /** The venue process's id. */
    long pid() {
        return process.pid();
    }

    /** CPU time the venue process has used so far, in nanoseconds (0 when the OS does not tell). */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    @Override
    public void close() {
        ChildProcess.stop(process);
    }
}

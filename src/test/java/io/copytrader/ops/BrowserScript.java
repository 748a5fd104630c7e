package io.copytrader.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs a script of src/test/browser with node, driving headless Chromium (Debian's {@code chromium}) through
 * playwright-core from npm (.ci/setup.d/40-chromium.sh installs both). Where they are missing the test is skipped
 * locally, and fails in CI (CI=true): a browser test that silently does not run is worse than none.
 */
final class BrowserScript {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BrowserScript() {
    }

    static Path chromium() {
        String env = System.getenv("CHROMIUM_BIN");
        for (String candidate : new String[] {env, "/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
            if (candidate != null && !candidate.isBlank() && Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return null;
    }

    static Path playwright() {
        String env = System.getenv("PLAYWRIGHT_DIR");
        for (String dir : new String[] {env, ".ci/node"}) {
            if (dir != null && !dir.isBlank() && Files.isRegularFile(Path.of(dir, "node_modules/playwright-core/package.json"))) {
                return Path.of(dir, "node_modules").toAbsolutePath();
            }
        }
        return null;
    }

    static Path node() {
        for (String candidate : new String[] {"/usr/bin/node", "/usr/local/bin/node"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return null;
    }

    /** Skips (locally) or fails (CI=true) unless node, Chromium and playwright-core are all here. */
    static void requireBrowser() {
        List<String> missing = new ArrayList<>();
        if (node() == null) {
            missing.add("node");
        }
        if (chromium() == null) {
            missing.add("chromium (set CHROMIUM_BIN)");
        }
        if (playwright() == null) {
            missing.add("playwright-core (npm, in PLAYWRIGHT_DIR or .ci/node)");
        }
        if (missing.isEmpty()) {
            return;
        }
        String message = "browser test needs " + String.join(", ", missing) + "; .ci/setup.d/40-chromium.sh installs them";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
    }

    /** Runs {@code script} with the arguments; its last stdout line is JSON, returned parsed. */
    static JsonNode run(String script, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(node().toString(), Path.of("src/test/browser", script).toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("browser-", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("NODE_PATH", playwright().toString());
        pb.environment().put("CHROMIUM_BIN", chromium().toString());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(script + " did not finish in " + timeoutSeconds + " s: " + Files.readString(out));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8).trim();
            String last = text.substring(text.lastIndexOf('\n') + 1);
            if (p.exitValue() != 0 || !last.startsWith("{")) {
                fail(script + " exited " + p.exitValue() + ": " + text);
            }
            return JSON.readTree(last);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}

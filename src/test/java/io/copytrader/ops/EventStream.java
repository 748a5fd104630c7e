package io.copytrader.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A server-sent event client over HTTP: collects the JSON of every {@code update} event the dashboard pushes. */
final class EventStream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    final List<JsonNode> updates = new CopyOnWriteArrayList<>();
    final StringBuilder raw = new StringBuilder();
    final HttpResponse<InputStream> response;
    private final Thread reader;

    EventStream(String url) throws Exception {
        response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        reader = new Thread(this::read, "sse-test-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String event = null;
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (raw) {
                    raw.append(line).append('\n');
                }
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ") && "update".equals(event)) {
                    updates.add(JSON.readTree(line.substring(6)));
                }
            }
        } catch (Exception e) {
            // closed
        }
    }

    JsonNode last() {
        return updates.isEmpty() ? null : updates.get(updates.size() - 1);
    }

    /** Every trade pushed so far, in the order pushed. */
    List<JsonNode> trades() {
        List<JsonNode> out = new java.util.ArrayList<>();
        updates.forEach(u -> u.path("trades").forEach(out::add));
        return out;
    }

    String raw() {
        synchronized (raw) {
            return raw.toString();
        }
    }

    @Override
    public void close() throws Exception {
        response.body().close();
        reader.interrupt();
    }

    static Duration timeout() {
        return Duration.ofSeconds(20);
    }
}

package io.copytrader.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Prints the live figures of a running engine, one {@code key: value} per line, read from its Prometheus
 * endpoint on the management port. Exit code 1 with a clear message when nothing answers there.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Prints the live figures of a running instance (from its /observe/metrics).")
public final class StatusCommand implements Callable<Integer> {
    @Option(names = "--url", description = "Management URL of the instance (default: ${DEFAULT-VALUE}).",
            defaultValue = "http://127.0.0.1:${env:MANAGEMENT_PORT:-9876}")
    String url;

    private final PrintStream out;
    private final PrintStream err;

    public StatusCommand() {
        this(System.out, System.err);
    }

    /** For tests and embedding: write to these streams instead of stdout/stderr. */
    public StatusCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        String text;
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create(base + "/observe/metrics")).timeout(Duration.ofSeconds(5))
                            .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                err.println("status: " + base + "/observe/metrics answered HTTP " + response.statusCode());
                return 1;
            }
            text = response.body();
        } catch (IOException | IllegalArgumentException e) {
            err.println("status: no CopyTrader instance answers at " + base + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); is it running? Start it with `java -jar target/copytrader.jar`, or pass --url");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        Map<String, String> figures = figures(PrometheusText.parse(text));
        if (figures == null) {
            err.println("status: " + base + " answers, but shows no copytrader metrics (is it a CopyTrader instance?)");
            return 1;
        }
        figures.forEach((k, v) -> out.println(k + ": " + v));
        return 0;
    }

    /** The status block of the seed plus circuit state, open exposure and in-flight trades; null if absent. */
    static Map<String, String> figures(PrometheusText m) {
        if (!m.has("copytrader_trades_detected_total")) {
            return null;
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("queueLength", whole(m.sum("copytrader_queue_length")));
        if (m.has("copytrader_queue_lag")) {
            f.put("queueLag", whole(m.sum("copytrader_queue_lag")));
        }
        f.put("processingTrades", whole(m.sum("copytrader_trades_processing")));
        f.put("tradesDetected", whole(m.sum("copytrader_trades_detected_total")));
        f.put("tradesQueued", whole(m.sum("copytrader_trades_queued_total")));
        f.put("tradesProcessed", whole(m.sum("copytrader_trades_processed_total")));
        f.put("tradesSkipped", whole(m.sum("copytrader_trades_skipped_total")));
        // failed now: every FAILED end, less the failed trades replayed since (a counter cannot go down)
        f.put("tradesFailed", whole(m.sum("copytrader_trades_failed_total")
                .subtract(m.sum("copytrader_trades_failed_replayed_total"))));
        f.put("queueOverflows", whole(m.sum("copytrader_queue_overflows_total")));
        // trades that went out on the order of a trade they waited behind (docs/ordering.md, "Joining")
        f.put("queueJoined", whole(m.sum("copytrader_queue_joined_total")));
        // feed rows refused as malformed since the start (no trade, no order: docs/failure-semantics.md)
        f.put("feedRowsRejected", whole(m.sum("copytrader_feed_rows_rejected_total")));
        f.put("tradesInFlight", whole(m.sum("copytrader_trades_inflight")));
        BigDecimal count = m.sum("copytrader_trade_latency_seconds_count");
        BigDecimal sum = m.sum("copytrader_trade_latency_seconds_sum");
        f.put("avgLatencyMs", count.signum() == 0 ? "0" : millis(sum.divide(count, 9, RoundingMode.HALF_EVEN)));
        f.put("minLatencyMs", millis(m.sum("copytrader_trade_latency_min_seconds")));
        f.put("maxLatencyMs", millis(m.sum("copytrader_trade_latency_seconds_max")));
        f.put("circuitState", circuit(m.sum("copytrader_circuit_state").intValue()));
        f.put("exposureUsd", m.sum("copytrader_portfolio_exposure").setScale(2, RoundingMode.HALF_EVEN).toPlainString());
        if (m.has("copytrader_chain_live")) { // chain detection is on
            f.put("chainFeed", m.sum("copytrader_chain_stopped").signum() > 0
                    ? "STOPPED (its worker ended on an error: no chain detection until a restart; see the log)"
                    : m.sum("copytrader_chain_live").signum() > 0 ? "live" : "not live (connecting or catching up)");
        }
        // one line per target trader: its trades since start, detected and by outcome
        m.byLabels("copytrader_target_trades_total", "target", "outcome").forEach((target, byOutcome) -> {
            StringBuilder line = new StringBuilder();
            for (String outcome : new String[] {"DETECTED", "COPIED", "SKIPPED", "FAILED", "DROPPED", "ABANDONED", "EXPIRED"}) {
                line.append(line.length() == 0 ? "" : " ").append(outcome.toLowerCase(java.util.Locale.ROOT)).append('=')
                        .append(whole(byOutcome.getOrDefault(outcome, BigDecimal.ZERO)));
            }
            f.put("target." + target, line.toString());
        });
        lags(m, f);
        return f;
    }

    /**
     * Venue time (block time, or the feed row's time) to detected and to accepted, per detection source:
     * {@code detectionLagMs.chain: p50 812.0, p99 1490.0 (n 42)}.
     */
    static void lags(PrometheusText m, Map<String, String> f) {
        for (String[] lag : new String[][]{{"detectionLagMs", "copytrader_lag_detected_seconds"},
                {"acceptedLagMs", "copytrader_lag_accepted_seconds"}}) {
            m.byLabel(lag[1] + "_count", "source").forEach((source, n) -> {
                BigDecimal p50 = m.quantile(lag[1], "source", source, "0.5");
                BigDecimal p99 = m.quantile(lag[1], "source", source, "0.99");
                f.put(lag[0] + "." + source, "p50 " + millis(p50) + ", p99 " + millis(p99) + " (n " + whole(n) + ")");
            });
        }
    }

    private static String whole(BigDecimal v) {
        return v.setScale(0, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String millis(BigDecimal seconds) {
        return seconds.multiply(BigDecimal.valueOf(1000)).setScale(1, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String circuit(int code) {
        return switch (code) {
            case 0 -> "CLOSED";
            case 1 -> "OPEN";
            case 2 -> "HALF_OPEN";
            default -> "UNKNOWN";
        };
    }
}

package io.copytrader.cli;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** The few facts `status` needs from Prometheus text exposition: each metric's value summed over its labels. */
final class PrometheusText {
    private final Map<String, BigDecimal> sums;
    /** name -> (label set as written between the braces -> value), for the few figures shown per label. */
    private final Map<String, Map<String, BigDecimal>> series;
    /** Every sample by its full series name, labels included as written ({@code name{a="b",quantile="0.5"}}). */
    private final Map<String, BigDecimal> samples = new java.util.TreeMap<>();

    private PrometheusText(Map<String, BigDecimal> sums, Map<String, Map<String, BigDecimal>> series) {
        this.sums = sums;
        this.series = series;
    }

    static PrometheusText parse(String text) {
        Map<String, BigDecimal> sums = new HashMap<>();
        Map<String, Map<String, BigDecimal>> series = new HashMap<>();
        PrometheusText parsed = new PrometheusText(sums, series);
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String name = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space).trim();
            String value = line.substring(space + 1).trim();
            try {
                parsed.samples.put(line.substring(0, space).trim(), new BigDecimal(value));
            } catch (NumberFormatException e) {
                // NaN or +Inf
            }
            if (line.contains("quantile=")) {
                continue; // percentiles are not summed
            }
            try {
                BigDecimal v = new BigDecimal(value);
                sums.merge(name, v, BigDecimal::add);
                if (brace >= 0 && brace < space) {
                    int close = line.lastIndexOf('}', space);
                    series.computeIfAbsent(name, k -> new HashMap<>()).merge(line.substring(brace + 1, Math.max(brace + 1, close)), v, BigDecimal::add);
                }
            } catch (NumberFormatException e) {
                // NaN or +Inf: not a figure status shows
            }
        }
        return parsed;
    }

    /** The samples of one metric whose labels contain {@code label}: full series name to value. */
    Map<String, BigDecimal> samples(String name, String label) {
        Map<String, BigDecimal> found = new java.util.TreeMap<>();
        samples.forEach((series, value) -> {
            if (series.startsWith(name + "{") && series.contains(label)) {
                found.put(series, value);
            }
        });
        return found;
    }

    boolean has(String name) {
        return sums.containsKey(name);
    }

    /**
     * The metric's values grouped by two labels: first label's value -> (second label's value -> sum); empty when
     * absent.
     */
    Map<String, Map<String, BigDecimal>> byLabels(String name, String first, String second) {
        Map<String, Map<String, BigDecimal>> out = new TreeMap<>();
        series.getOrDefault(name, Map.of()).forEach((labels, v) -> {
            String a = label(labels, first);
            String b = label(labels, second);
            if (a != null && b != null) {
                out.computeIfAbsent(a, k -> new TreeMap<>()).merge(b, v, BigDecimal::add);
            }
        });
        return out;
    }

    private static String label(String labels, String name) {
        String start = name + "=\"";
        int at = labels.startsWith(start) ? 0 : labels.indexOf("," + start);
        if (at < 0) {
            return null;
        }
        int from = labels.indexOf('"', at) + 1;
        int to = labels.indexOf('"', from);
        return to < 0 ? null : labels.substring(from, to);
    }

    BigDecimal sum(String name) {
        return sums.getOrDefault(name, BigDecimal.ZERO);
    }
}

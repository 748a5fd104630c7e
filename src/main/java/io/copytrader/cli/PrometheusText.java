package io.copytrader.cli;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

/** The few facts `status` needs from Prometheus text exposition: each metric's value summed over its labels. */
final class PrometheusText {
    private final Map<String, BigDecimal> sums;
    /** Every sample by its full series name, labels included as written ({@code name{a="b",quantile="0.5"}}). */
    private final Map<String, BigDecimal> samples = new java.util.TreeMap<>();

    private PrometheusText(Map<String, BigDecimal> sums) {
        this.sums = sums;
    }

    static PrometheusText parse(String text) {
        Map<String, BigDecimal> sums = new HashMap<>();
        PrometheusText parsed = new PrometheusText(sums);
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
                sums.merge(name, new BigDecimal(value), BigDecimal::add);
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

    BigDecimal sum(String name) {
        return sums.getOrDefault(name, BigDecimal.ZERO);
    }
}

package io.copytrader.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The few facts `status` needs from Prometheus text exposition, read from one list of samples: a metric's value
 * summed over its labels, grouped by one or two labels, or one of its quantiles.
 */
final class PrometheusText {
    /** One sample line: the metric name, its labels and its value (NaN and infinities are not kept). */
    private record Sample(String name, Map<String, String> labels, BigDecimal value) {
        boolean isQuantile() {
            return labels.containsKey("quantile");
        }
    }

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            BigDecimal value;
            try {
                value = new BigDecimal(line.substring(space + 1).trim());
            } catch (NumberFormatException e) {
                continue; // NaN or +Inf: not a figure status shows
            }
            String series = line.substring(0, space).trim();
            int brace = series.indexOf('{');
            if (brace < 0) {
                samples.add(new Sample(series, Map.of(), value));
            } else {
                samples.add(new Sample(series.substring(0, brace), labels(series, brace + 1), value));
            }
        }
        return new PrometheusText(samples);
    }

    /** The labels between the braces, with the exposition format's escapes (\\, \", \n) undone. */
    private static Map<String, String> labels(String series, int from) {
        Map<String, String> labels = new TreeMap<>();
        int i = from;
        while (i < series.length()) {
            int eq = series.indexOf('=', i);
            if (eq < 0 || eq + 1 >= series.length() || series.charAt(eq + 1) != '"') {
                break;
            }
            String name = series.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < series.length() && series.charAt(j) != '"'; j++) {
                char c = series.charAt(j);
                if (c == '\\' && j + 1 < series.length()) {
                    char next = series.charAt(++j);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    value.append(c);
                }
            }
            labels.put(name, value.toString());
            i = j + 1;
            while (i < series.length() && (series.charAt(i) == ',' || series.charAt(i) == ' ')) {
                i++;
            }
            if (i < series.length() && series.charAt(i) == '}') {
                break;
            }
        }
        return labels;
    }

    boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name.equals(name) && !s.isQuantile());
    }

    /** The metric's value summed over its labels (quantiles are never summed); zero when absent. */
    BigDecimal sum(String name) {
        return samples.stream().filter(s -> s.name.equals(name) && !s.isQuantile()).map(Sample::value)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** The metric's values summed per value of one label; samples without that label are left out. */
    Map<String, BigDecimal> byLabel(String name, String label) {
        Map<String, BigDecimal> out = new TreeMap<>();
        samples.stream().filter(s -> s.name.equals(name) && !s.isQuantile() && s.labels.containsKey(label))
                .forEach(s -> out.merge(s.labels.get(label), s.value, BigDecimal::add));
        return out;
    }

    /**
     * The metric's values grouped by two labels: first label's value -> (second label's value -> sum); empty when
     * absent.
     */
    Map<String, Map<String, BigDecimal>> byLabels(String name, String first, String second) {
        Map<String, Map<String, BigDecimal>> out = new TreeMap<>();
        samples.stream().filter(s -> s.name.equals(name) && !s.isQuantile()
                        && s.labels.containsKey(first) && s.labels.containsKey(second))
                .forEach(s -> out.computeIfAbsent(s.labels.get(first), k -> new TreeMap<>())
                        .merge(s.labels.get(second), s.value, BigDecimal::add));
        return out;
    }

    /** One quantile of the summary series whose {@code label} is {@code value}; zero when absent. */
    BigDecimal quantile(String name, String label, String value, String quantile) {
        return samples.stream().filter(s -> s.name.equals(name) && quantile.equals(s.labels.get("quantile"))
                        && value.equals(s.labels.get(label)))
                .map(Sample::value).findFirst().orElse(BigDecimal.ZERO);
    }
}

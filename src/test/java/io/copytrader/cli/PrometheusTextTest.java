package io.copytrader.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String TEXT = String.join("\n",
            "# HELP copytrader_target_trades_total Trades per target and outcome",
            "# TYPE copytrader_target_trades_total counter",
            "copytrader_target_trades_total{outcome=\"COPIED\",target=\"whale\"} 3.0",
            "copytrader_target_trades_total{outcome=\"SKIPPED\",target=\"whale\"} 2.0",
            "copytrader_target_trades_total{outcome=\"COPIED\",target=\"a \\\"quoted\\\", name\"} 4.0",
            "copytrader_lag_detected_seconds{source=\"chain\",quantile=\"0.5\"} 0.8",
            "copytrader_lag_detected_seconds{source=\"chain\",quantile=\"0.99\"} 1.5",
            "copytrader_lag_detected_seconds{source=\"poll\",quantile=\"0.5\"} 9.0",
            "copytrader_lag_detected_seconds_count{source=\"chain\"} 42.0",
            "copytrader_lag_detected_seconds_count{source=\"poll\"} 7.0",
            "copytrader_queue_length 5.0",
            "copytrader_trade_latency_seconds_max NaN",
            "");

    private final PrometheusText text = PrometheusText.parse(TEXT);

    @Test
    void sumsEveryLabelSetButNeverAQuantile() {
        assertThat(text.sum("copytrader_target_trades_total")).isEqualByComparingTo("9");
        assertThat(text.sum("copytrader_queue_length")).isEqualByComparingTo("5");
        assertThat(text.sum("copytrader_lag_detected_seconds")).isEqualByComparingTo("0");
        assertThat(text.has("copytrader_lag_detected_seconds")).isFalse();
        assertThat(text.has("copytrader_queue_length")).isTrue();
    }

    @Test
    void leavesOutValuesThatAreNotNumbers() {
        assertThat(text.has("copytrader_trade_latency_seconds_max")).isFalse();
        assertThat(text.sum("copytrader_trade_latency_seconds_max")).isEqualByComparingTo("0");
    }

    @Test
    void groupsByLabelsWithEscapedQuotesAndCommasInAValue() {
        Map<String, Map<String, BigDecimal>> byTarget =
                text.byLabels("copytrader_target_trades_total", "target", "outcome");
        assertThat(byTarget).containsOnlyKeys("whale", "a \"quoted\", name");
        assertThat(byTarget.get("whale")).containsOnlyKeys("COPIED", "SKIPPED");
        assertThat(byTarget.get("whale").get("SKIPPED")).isEqualByComparingTo("2");
        assertThat(byTarget.get("a \"quoted\", name").get("COPIED")).isEqualByComparingTo("4");
        assertThat(text.byLabel("copytrader_lag_detected_seconds_count", "source"))
                .containsOnlyKeys("chain", "poll");
    }

    @Test
    void readsOneQuantileOfOneLabelValue() {
        assertThat(text.quantile("copytrader_lag_detected_seconds", "source", "chain", "0.99"))
                .isEqualByComparingTo("1.5");
        assertThat(text.quantile("copytrader_lag_detected_seconds", "source", "poll", "0.5"))
                .isEqualByComparingTo("9");
        assertThat(text.quantile("copytrader_lag_detected_seconds", "source", "poll", "0.99"))
                .isEqualByComparingTo("0");
    }
}

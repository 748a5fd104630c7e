package io.copytrader.ops.jmx;

import java.math.BigDecimal;

/**
 * The engine's trading figures in JMX ({@code io.copytrader:type=Trading,name=figures}), so Hawtio's JMX tab and any
 * JMX client show what the dashboard shows. Read-only. Money in USD as exact decimals.
 */
public interface TradingFiguresMXBean {
    long getTradesDetected();

    long getTradesCopied();

    long getTradesSkipped();

    long getTradesFailed();

    long getTradesDropped();

    long getTradesInFlight();

    int getQueueLength();

    int getQueueCapacity();

    long getQueueOverflows();

    /** Trades copied by the order of a trade they waited behind in the queue (docs/ordering.md, "Joining"). */
    long getQueueJoined();

    long getDeadLettersPending();

    long getDeadLettersTotal();

    String getCircuitState();

    BigDecimal getCashUsd();

    BigDecimal getExposureUsd();

    BigDecimal getExposureCapUsd();

    BigDecimal getEquityUsd();

    BigDecimal getUnrealizedPnlUsd();

    int getPositions();

    double getLatencyP50Ms();

    double getLatencyP99Ms();

    /** The worst p99 detection lag over the detection sources (venue time to detected). */
    double getDetectionLagP99Ms();

    /** The longest run of failed polls among the target traders' feeds right now. */
    int getFeedConsecutiveFailures();
}

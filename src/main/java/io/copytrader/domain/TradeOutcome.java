package io.copytrader.domain;

/** The terminal outcomes of a detected trade (DESIGN section 5): every admitted trade ends in exactly one. */
public enum TradeOutcome {
    COPIED, SKIPPED, DROPPED, FAILED, ABANDONED, EXPIRED
}

package io.copytrader.paper;

/**
 * Decides how a newly accepted order fills (Nautilus-style simulator model). Implementations must be thread-safe
 * and, when seeded, replay the same plans for the same sequence of calls.
 */
public interface FillModel {
    FillPlan plan();
}

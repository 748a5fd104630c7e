package io.copytrader.paper;

import java.time.Duration;

/** How long the venue waits before handling a request (Nautilus-style simulator model). Thread-safe. */
public interface LatencyModel {
    Duration next();
}

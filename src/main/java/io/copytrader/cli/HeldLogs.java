package io.copytrader.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

import java.util.ArrayList;
import java.util.List;

/**
 * Holds what one thread logs until told what to do with it: print it, in order ({@link #release}), or drop it
 * ({@link #discard}). Other threads log as usual. {@link RunCommand} holds Camel Main's first lines while the
 * configuration is checked beside them, so that a bad setting still prints one line and nothing else.
 */
final class HeldLogs extends TurboFilter {
    private record Event(Logger logger, Marker marker, Level level, String format, Object[] params, Throwable t) {
    }

    private final LoggerContext context;
    private final Thread thread;
    private final List<Event> held = new ArrayList<>();
    private volatile boolean holding = true;

    private HeldLogs(LoggerContext context, Thread thread) {
        this.context = context;
        this.thread = thread;
    }

    /** Starts holding what {@code thread} logs. */
    static HeldLogs holdOn(LoggerContext context, Thread thread) {
        HeldLogs filter = new HeldLogs(context, thread);
        filter.start();
        context.addTurboFilter(filter);
        return filter;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (!holding || Thread.currentThread() != thread || format == null && t == null) {
            return FilterReply.NEUTRAL; // (no message: an is...Enabled() question, answered as usual)
        }
        synchronized (held) {
            held.add(new Event(logger, marker, level, format, params, t));
        }
        return FilterReply.DENY;
    }

    /** Logs what was held, in the order it came, and holds nothing more. */
    void release() {
        for (Event e : end()) {
            e.logger().log(e.marker(), Logger.class.getName(), Level.toLocationAwareLoggerInteger(e.level()),
                    e.format(), e.params(), e.t());
        }
    }

    /** Drops what was held, and holds nothing more. */
    void discard() {
        end();
    }

    /** How many events are held. */
    int size() {
        synchronized (held) {
            return held.size();
        }
    }

    private List<Event> end() {
        holding = false;
        context.getTurboFilterList().remove(this);
        synchronized (held) {
            List<Event> events = List.copyOf(held);
            held.clear();
            return events;
        }
    }
}

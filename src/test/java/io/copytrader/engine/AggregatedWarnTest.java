package io.copytrader.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** At most one WARN a period, each with the count since the last; a burst's tail is reported without a new event. */
class AggregatedWarnTest {
    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private AggregatedWarn warn;

    @BeforeEach
    void start() {
        logged.setContext(context);
        logged.start();
        Logger log = context.getLogger("rows");
        log.setLevel(Level.DEBUG);
        log.addAppender(logged);
        warn = new AggregatedWarn(log, "Rejected malformed feed rows", 10_000, now::get);
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void shouldWarnOncePerPeriodWithTheCountSinceTheLastLine() {
        warn.event("row-1");
        now.addAndGet(4_000);
        warn.event("row-2");
        warn.event("row-3");
        assertThat(warnings()).containsExactly("Rejected malformed feed rows: 1 since the last such line (latest: row-1)");
        assertThat(debugs()).containsExactly("Rejected malformed feed rows: row-2", "Rejected malformed feed rows: row-3");

        now.addAndGet(6_000); // the period has passed: the next event's line counts the two before it
        warn.event("row-4");
        assertThat(warnings()).last().isEqualTo("Rejected malformed feed rows: 3 since the last such line (latest: row-4)");
    }

    @Test
    void shouldReportTheEventsAfterTheLastLineOnceThePeriodHasPassedWithoutANewEvent() {
        warn.event("row-1");
        warn.event("row-2");
        warn.event("row-3");
        warn.flush();
        assertThat(warnings()).as("within the period: nothing more").hasSize(1);

        now.addAndGet(10_000);
        warn.flush();
        warn.flush();
        assertThat(warnings()).containsExactly(
                "Rejected malformed feed rows: 1 since the last such line (latest: row-1)",
                "Rejected malformed feed rows: 2 since the last such line (latest: row-3)");

        // nothing pending: a flush writes nothing however long after
        now.addAndGet(60_000);
        warn.flush();
        assertThat(warnings()).hasSize(2);
        // and the next event is warned at once, its period long past
        warn.event("row-4");
        assertThat(warnings()).last().isEqualTo("Rejected malformed feed rows: 1 since the last such line (latest: row-4)");
    }

    private java.util.List<String> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private java.util.List<String> debugs() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.DEBUG).map(ILoggingEvent::getFormattedMessage).toList();
    }
}

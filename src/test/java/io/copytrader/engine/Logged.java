package io.copytrader.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** The lines a class logs while a test acts. */
final class Logged {
    private Logged() {
    }

    /** What {@code source}'s logger wrote while {@code run} ran. */
    static List<ILoggingEvent> during(Class<?> source, Runnable run) {
        Logger log = (Logger) LoggerFactory.getLogger(source);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        log.addAppender(logged);
        try {
            run.run();
        } finally {
            log.detachAppender(logged);
        }
        return logged.list;
    }

    /** The WARN lines {@code source}'s logger wrote while {@code run} ran, formatted. */
    static List<String> warningsOf(Class<?> source, Runnable run) {
        return during(source, run).stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }
}

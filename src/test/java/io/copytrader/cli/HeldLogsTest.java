package io.copytrader.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What one thread logs is held until released (printed in order) or discarded; other threads are not held. */
class HeldLogsTest {
    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> printed = new ListAppender<>();
    private Logger log;

    @BeforeEach
    void start() {
        printed.setContext(context);
        printed.start();
        log = context.getLogger("held");
        log.setLevel(ch.qos.logback.classic.Level.INFO);
        log.addAppender(printed);
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void shouldPrintWhatWasHeldInOrderWhenReleased() throws Exception {
        HeldLogs held = HeldLogs.holdOn(context, Thread.currentThread());
        log.info("first {}", 1);
        assertThat(log.isInfoEnabled()).as("asking is answered as usual").isTrue();
        log.warn("second", new IllegalStateException("why"));
        log.debug("below the level");
        Thread other = new Thread(() -> log.info("from another thread"));
        other.start();
        other.join();
        assertThat(printed.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("from another thread");
        assertThat(held.size()).isEqualTo(3);

        held.release();
        log.info("after");

        assertThat(printed.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("from another thread", "first 1", "second", "after");
        assertThat(printed.list.get(2).getThrowableProxy().getMessage()).isEqualTo("why");
        assertThat(context.getTurboFilterList()).isEmpty();
    }

    @Test
    void shouldDropWhatWasHeldWhenDiscarded() {
        HeldLogs held = HeldLogs.holdOn(context, Thread.currentThread());
        log.info("never printed");
        held.discard();
        log.info("after");
        assertThat(printed.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("after");
        assertThat(held.size()).isZero();
    }
}

package io.copytrader.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The logging set up in code is the one logback.xml describes: the same loggers at the same levels, one console
 * appender with the same line, secrets masked in the message and the trace; a user's own file is left to logback.
 */
class LoggingConfiguratorTest {
    private static final String SECRET = "api-secret-31f7-never-printed";

    @BeforeEach
    void register() {
        SecretMasker.reset();
        SecretMasker.register(SECRET);
    }

    @AfterEach
    void forget() {
        SecretMasker.reset();
    }

    @Test
    void shouldSetUpWhatLogbackXmlSays() throws Exception {
        LoggerContext fromXml = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromXml);
        URL xml = getClass().getClassLoader().getResource("logback.xml");
        assertThat(xml).isNotNull();
        joran.doConfigure(xml);

        LoggerContext inCode = new LoggerContext();
        LoggingConfigurator configurator = new LoggingConfigurator();
        configurator.setContext(inCode);
        assertThat(configurator.configure(inCode)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        assertThat(levels(inCode)).isEqualTo(levels(fromXml)).containsEntry("ROOT", "INFO")
                .containsEntry("org.flywaydb", "WARN");
        assertThat(appenders(inCode)).isEqualTo(appenders(fromXml)).hasSize(1)
                .allMatch(a -> a.endsWith("started=true ours=true"));

        Exception failure = new IllegalStateException("refused", new RuntimeException("header " + SECRET));
        String xmlLine = line(fromXml, failure);
        String codeLine = line(inCode, failure);
        assertThat(codeLine).isEqualTo(xmlLine).doesNotContain(SECRET)
                .contains("INFO  [main] io.copytrader.ops.Probe - signing with **** for alice")
                .contains("Caused by: java.lang.RuntimeException: header ****");
    }

    @Test
    void shouldLeaveAUsersOwnFileToLogback() {
        String before = System.getProperty(LoggingConfigurator.CONFIGURATION_FILE);
        System.setProperty(LoggingConfigurator.CONFIGURATION_FILE, "my-logback.xml");
        try {
            LoggerContext context = new LoggerContext();
            LoggingConfigurator configurator = new LoggingConfigurator();
            configurator.setContext(context);
            assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
        } finally {
            if (before == null) {
                System.clearProperty(LoggingConfigurator.CONFIGURATION_FILE);
            } else {
                System.setProperty(LoggingConfigurator.CONFIGURATION_FILE, before);
            }
        }
    }

    @Test
    void shouldBeFoundByLogbacksServiceLookup() {
        List<String> found = new ArrayList<>();
        for (Configurator c : ServiceLoader.load(Configurator.class)) {
            found.add(c.getClass().getName());
        }
        assertThat(found).contains(LoggingConfigurator.class.getName());
    }

    /** Every logger with a level of its own, by name. */
    private static Map<String, String> levels(LoggerContext context) {
        Map<String, String> levels = new TreeMap<>();
        for (Logger logger : context.getLoggerList()) {
            Level level = logger.getLevel();
            if (level != null) {
                levels.put(logger.getName(), level.toString());
            }
        }
        return levels;
    }

    /** The root's appenders: name, kind, pattern, whether started, and whether of this context. */
    private static List<String> appenders(LoggerContext context) {
        List<String> out = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
             it.hasNext(); ) {
            Appender<ILoggingEvent> appender = it.next();
            String pattern = appender instanceof ConsoleAppender<ILoggingEvent> console
                    && console.getEncoder() instanceof PatternLayoutEncoder encoder ? encoder.getPattern() : "?";
            out.add(appender.getName() + " " + appender.getClass().getSimpleName() + " " + pattern + " started="
                    + appender.isStarted() + " ours=" + (appender.getContext() == context));
        }
        return out;
    }

    /** What the root's console appender prints for one event with a secret in its message and its trace. */
    private static String line(LoggerContext context, Exception failure) {
        ConsoleAppender<ILoggingEvent> console =
                (ConsoleAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
        Logger probe = context.getLogger("io.copytrader.ops.Probe");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), probe, Level.INFO, "signing with {} for {}",
                failure, new Object[] {SECRET, "alice"});
        event.setThreadName("main");
        event.setTimeStamp(0);
        return new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
    }
}

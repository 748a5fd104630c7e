package io.copytrader.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.spi.ContextAwareBase;

import java.util.HashMap;
import java.util.Map;

/**
 * The engine's logging, set up in code: what {@code logback.xml} in the jar says (one console appender, the masking
 * {@code %msg} and {@code %ex}, the quieter third-party loggers), without reading it. Logback finds this class through
 * {@code META-INF/services} and asks it first; reading the XML was about 0.15 s of every launch, on the path to the
 * first copy ({@code LoggingConfiguratorTest} keeps the two equal).
 *
 * <p>A user's own file ({@code -Dlogback.configurationFile=...}) is left to logback as before: this configurator then
 * does nothing and logback's own chain reads that file.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LoggingConfigurator extends ContextAwareBase implements Configurator {
    /** The system property that names a user's own logback file. */
    static final String CONFIGURATION_FILE = "logback.configurationFile";
    /** The console line, as in logback.xml. */
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n%ex";

    /** The levels logback.xml sets, by logger name (the root logs INFO). */
    static final String[][] LEVELS = {
            {"org.apache.camel", "INFO"},
            {"org.apache.camel.component.platform.http.main.MainHttpServerUtil", "WARN"},
            {"org.apache.camel.processor.FatalFallbackErrorHandler", "ERROR"},
            {"org.apache.hc", "WARN"},
            {"io.vertx", "WARN"},
            {"io.netty", "WARN"},
            {"org.eclipse.jetty", "WARN"},
            {"org.flywaydb", "WARN"},
            {"com.zaxxer.hikari", "WARN"},
            {"com.github.tomakehurst", "WARN"},
            {"wiremock", "WARN"},
    };

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(CONFIGURATION_FILE) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        // the conversion rules of logback.xml: the secret-masking %msg and %ex
        Map<String, String> rules = new HashMap<>();
        rules.put("msg", MaskingMessageConverter.class.getName());
        rules.put("ex", MaskingThrowableConverter.class.getName());
        context.putObject(CoreConstants.PATTERN_RULE_REGISTRY, rules);

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("STDOUT");
        console.setEncoder(encoder);
        console.start();

        for (String[] level : LEVELS) {
            context.getLogger(level[0]).setLevel(Level.toLevel(level[1]));
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}

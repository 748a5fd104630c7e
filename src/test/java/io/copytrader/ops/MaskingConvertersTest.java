package io.copytrader.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** %msg and %ex as the log pattern prints them: a registered secret masked in the message, the trace and its causes. */
class MaskingConvertersTest {
    static final String SECRET = "passphrase-7d2b-must-not-leak";

    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("io.copytrader.test");

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
    void shouldMaskASecretInTheFormattedMessage() {
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "signing with {} for {}", null,
                new Object[]{SECRET, "alice"});
        MaskingMessageConverter converter = new MaskingMessageConverter();
        converter.setContext(context);
        converter.start();
        assertThat(converter.convert(event)).isEqualTo("signing with **** for alice");
    }

    @Test
    void shouldMaskASecretInAnExceptionsMessageAndInItsCauses() {
        Exception failure = new IllegalStateException("order refused",
                new RuntimeException("auth header was " + SECRET, new IllegalArgumentException("bad " + SECRET + "!")));
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.ERROR, "failed", failure, null);
        MaskingThrowableConverter converter = new MaskingThrowableConverter();
        converter.setContext(context);
        converter.start();
        String trace = converter.convert(event);
        assertThat(trace).doesNotContain(SECRET).contains("java.lang.IllegalStateException: order refused")
                .contains("Caused by: java.lang.RuntimeException: auth header was ****")
                .contains("Caused by: java.lang.IllegalArgumentException: bad ****!")
                .contains("at io.copytrader.ops.MaskingConvertersTest");
    }
}

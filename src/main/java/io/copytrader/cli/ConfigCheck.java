package io.copytrader.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;
import io.copytrader.chain.ChainSettings;
import io.copytrader.config.CopyTraderSettings;
import io.copytrader.config.SellSettings;
import io.copytrader.config.TargetSettings;
import io.copytrader.config.InvalidSettingException;
import io.copytrader.engine.EngineConfiguration;
import io.copytrader.engine.StartupFailure;
import io.copytrader.ops.OperatorConfiguration;
import io.copytrader.polymarket.PolymarketConfig;
import io.copytrader.store.TradeStore;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.PropertiesFunction;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.function.Function;

/**
 * Validates every setting before anything starts (no route, no server, no venue): the values application.properties
 * resolves from the environment, the Polymarket settings when that venue is chosen, and that the store opens. The
 * first error comes back as one line naming the variable, the value and what is allowed.
 */
public final class ConfigCheck {
    private ConfigCheck() {
    }

    /** The first configuration error with the process environment, or null when everything is valid. */
    public static String firstError(String propertyLocations) {
        return firstError(propertyLocations, System::getenv);
    }

    /**
     * The first configuration error, or null when everything is valid.
     *
     * @param environment the environment variables ({@code {{env:NAME:default}}} in application.properties)
     */
    public static String firstError(String propertyLocations, Function<String, String> environment) {
        // the store's pool, its migrations and Camel log while they open and close; the answer is one line. Only
        // this thread is silenced: the engine may be starting beside the check (RunCommand)
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        Thread checking = Thread.currentThread();
        TurboFilter silence = new TurboFilter() {
            @Override
            public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                                      Throwable t) {
                return Thread.currentThread() == checking ? FilterReply.DENY : FilterReply.NEUTRAL;
            }
        };
        silence.start();
        logging.addTurboFilter(silence);
        DefaultCamelContext context = new DefaultCamelContext();
        try {
            PropertiesComponent pc = context.getPropertiesComponent();
            pc.addPropertiesFunction(new EnvFunction(environment));
            pc.setLocation(propertyLocations);
            Function<String, String> lookup = CopyTraderSettings.lookupIn(pc);
            CopyTraderSettings settings = CopyTraderSettings.load(lookup, environment);
            // the rest of what the engine reads at its start: per-target settings, sells, chain detection
            TargetSettings.load(settings, lookup,
                    pc.loadProperties(k -> k.startsWith(TargetSettings.PREFIX)).stringPropertyNames());
            SellSettings.load(lookup);
            ChainSettings.load(CopyTraderSettings.strictLookupIn(pc), settings.venue());
            OperatorConfiguration.detectionStall(lookup);
            OperatorConfiguration.feedFailureThreshold(lookup);
            OperatorConfiguration.managementIdleTimeoutSeconds(lookup);
            if (settings.venue().equals("polymarket")) {
                try {
                    Function<String, String> properties = CopyTraderSettings.strictLookupIn(pc);
                    PolymarketConfig.from(key -> {
                        String value = properties.apply(key);
                        return value != null ? value : environment.apply(key);
                    });
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
            }
            try (TradeStore store = EngineConfiguration.openStore(settings, Clock.systemUTC())) {
                return null;
            }
        } catch (InvalidSettingException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return "configuration could not be read: " + String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
        } finally {
            try {
                context.close();
            } catch (java.io.IOException | RuntimeException e) {
                // nothing was started
            }
            StartupFailure.take();
            logging.getTurboFilterList().remove(silence);
        }
    }

    /** {@code {{env:NAME:default}}} over the given environment: a variable set to "" stays "" (and is refused). */
    private record EnvFunction(Function<String, String> environment) implements PropertiesFunction {
        @Override
        public String getName() {
            return "env";
        }

        @Override
        public String apply(String remainder) {
            int colon = remainder.indexOf(':');
            String name = colon < 0 ? remainder : remainder.substring(0, colon);
            String value = environment.apply(name);
            return value != null ? value : colon < 0 ? null : remainder.substring(colon + 1);
        }
    }
}

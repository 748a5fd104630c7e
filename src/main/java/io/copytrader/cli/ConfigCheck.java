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
import io.copytrader.config.UnknownSettings;
import io.copytrader.engine.EngineConfiguration;
import io.copytrader.engine.SharedQueueSettings;
import io.copytrader.engine.StartupFailure;
import io.copytrader.ops.OperatorConfiguration;
import io.copytrader.polymarket.PolymarketConfig;
import io.copytrader.store.TradeStore;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.PropertiesFunction;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Validates every setting before anything starts (no route, no server, no venue): the values application.properties
 * resolves from the environment, the Polymarket settings when that venue is chosen, that every {@code copytrader.*}
 * key set is one something reads ({@link UnknownSettings}), and that the store opens. The first error comes back as
 * one line naming the variable, the value and what is allowed (a key nothing reads: the key, never its value).
 */
public final class ConfigCheck {
    private ConfigCheck() {
    }

    /** The first configuration error with the process environment, or null when everything is valid. */
    public static String firstError(String propertyLocations) {
        return firstError(propertyLocations, System::getenv, System.getenv().keySet(),
                System.getProperties().stringPropertyNames());
    }

    /** The first configuration error over these environment variables and no system properties; null when valid. */
    public static String firstError(String propertyLocations, Function<String, String> environment) {
        return firstError(propertyLocations, environment, Set.of(), Set.of());
    }

    /**
     * The first configuration error, or null when everything is valid.
     *
     * @param environment      the environment variables ({@code {{env:NAME:default}}} in application.properties)
     * @param variableNames    the names of the environment's variables: a COPYTRADER_* one Camel reads for a key
     *                         ({@code COPYTRADER_COPY_RATIO}) must name a key that is read
     * @param systemProperties the names of the JVM's system properties: a copytrader.* one must be a key that is read
     */
    public static String firstError(String propertyLocations, Function<String, String> environment,
                                    Set<String> variableNames, Set<String> systemProperties) {
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
            CopyTraderSettings settings = readEvery(lookup, CopyTraderSettings.strictLookupIn(pc), environment,
                    pc.loadProperties(k -> k.startsWith(TargetSettings.PREFIX)).stringPropertyNames());
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
            // a misspelled key, before the store opens (it may create a file)
            String unknown = unknownKeys(context, variableNames, systemProperties);
            if (unknown != null) {
                return unknown;
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

    /**
     * The refusal of every {@code copytrader.*} key nothing reads that the context's properties, these system properties
     * or these environment variables set (the launcher's own names left out), or null when there is none.
     */
    public static String unknownKeys(CamelContext context, Set<String> variableNames, Set<String> systemProperties) {
        Set<String> variables = new HashSet<>(variableNames);
        variables.removeAll(Set.of(SharedArchiveLauncher.CDS_VARIABLE, SharedArchiveLauncher.JIT_VARIABLE));
        Set<String> properties = new HashSet<>(systemProperties);
        properties.remove(SharedArchiveLauncher.CHILD_PROPERTY);
        Reads read = reads(context);
        String refusal = UnknownSettings.refusal(context.getPropertiesComponent().loadProperties().stringPropertyNames(),
                properties, variables, read.keys());
        return refusal != null ? refusal : UnknownSettings.variableRefusal(variables, read.variables());
    }

    /** The variables the engine reads for its store's credentials, outside any setting. */
    static final Set<String> STORE_CREDENTIALS = Set.of("STORE_USER", "STORE_PASSWORD");

    /**
     * What the engine reads.
     *
     * @param keys      every {@code copytrader.*} key something reads: each setting's (the readers below and the
     *                  Polymarket venue's, read over a lookup that notes the keys and answers "not set", so every reader
     *                  asks for all its keys), and each key a placeholder names in a property's value or in a route file
     *                  of {@code camel.main.routes-include-pattern}
     * @param variables every environment variable something reads: each setting's own (the same readers over an
     *                  environment that notes each name asked for), the Polymarket venue's (its reader asks the lookup
     *                  for a key's variable after the key), each {@code {{env:NAME}}} of the same texts, and the store's
     *                  credentials
     */
    record Reads(Set<String> keys, Set<String> variables) {
    }

    static Reads reads(CamelContext context) {
        UnknownSettings.Survey survey = new UnknownSettings.Survey();
        UnknownSettings.Survey environment = new UnknownSettings.Survey();
        readEvery(survey, survey, environment, List.of());
        try {
            PolymarketConfig.from(survey);
        } catch (IllegalArgumentException expected) {
            // nothing set: refused, once every name was asked for
        }
        Set<String> keys = new HashSet<>();
        Set<String> variables = new HashSet<>(environment.keys());
        for (String name : survey.keys()) {
            (UnknownSettings.isVariableName(name) ? variables : keys).add(name);
        }
        for (String text : settingTexts(context)) {
            keys.addAll(UnknownSettings.placeholders(text));
            variables.addAll(UnknownSettings.variablePlaceholders(text));
        }
        variables.addAll(STORE_CREDENTIALS);
        return new Reads(keys, variables);
    }

    /**
     * Reads every setting the engine reads at its start but the Polymarket venue's (read where that venue is chosen)
     * and the store (opened by the check): the refused one throws.
     */
    private static CopyTraderSettings readEvery(Function<String, String> lookup, Function<String, String> strict,
                                                Function<String, String> environment, Collection<String> targetKeys) {
        CopyTraderSettings settings = CopyTraderSettings.load(lookup, environment);
        TargetSettings.load(settings, lookup, targetKeys);
        SellSettings.load(lookup);
        ChainSettings.load(strict, settings.venue());
        SharedQueueSettings shared = SharedQueueSettings.read(strict);
        if (shared.shared()) {
            shared.requireComplete();
        }
        OperatorConfiguration.detectionStall(lookup);
        OperatorConfiguration.feedFailureThreshold(lookup);
        OperatorConfiguration.managementIdleTimeoutSeconds(lookup);
        OperatorConfiguration.managementMaxConnections(lookup);
        return settings;
    }

    /** The values of the context's properties, and the text of each route file of camel.main.routes-include-pattern. */
    private static List<String> settingTexts(CamelContext context) {
        List<String> texts = new ArrayList<>();
        PropertiesComponent pc = context.getPropertiesComponent();
        Properties properties = pc.loadProperties(); // its forEach sees nothing: it keeps its entries apart
        for (String key : properties.stringPropertyNames()) {
            texts.add(properties.getProperty(key));
        }
        String routes = pc.resolveProperty("camel.main.routes-include-pattern").orElse("");
        for (String pattern : routes.split(",")) {
            if (pattern.isBlank()) {
                continue;
            }
            try {
                for (Resource route : PluginHelper.getPackageScanResourceResolver(context).findResources(pattern.trim())) {
                    try (InputStream in = route.getInputStream()) {
                        texts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("the route files " + pattern.trim() + " could not be read: " + e, e);
            }
        }
        return texts;
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

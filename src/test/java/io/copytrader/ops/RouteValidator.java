package io.copytrader.ops;

import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.CircuitBreakerDefinition;
import org.apache.camel.model.errorhandler.DeadLetterChannelDefinition;
import org.apache.camel.model.EndpointRequiredDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.EndpointUriFactory;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.util.URISupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks route files the way the build needs (camel-report-maven-plugin's validate goal reads only Java and XML
 * routes): every file loads, and every endpoint URI in it, with its placeholders resolved from
 * application.properties, names a component on the classpath and only options that component has; every
 * {@code direct:}/{@code seda:} endpoint a route sends to is consumed by some route.
 */
public final class RouteValidator {
    /**
     * Options a component reads in createEndpoint itself, missing from its endpoint option list (so Camel's
     * catalog, and camel-report-maven-plugin, would call them unknown): seda's queueFactory.
     */
    private static final Map<String, Set<String>> COMPONENT_READ_OPTIONS = Map.of("seda", Set.of("queueFactory"));

    private RouteValidator() {
    }

    /** One line per problem, naming the file and what is wrong; empty when the routes are good. */
    public static List<String> validate(Path routesDir, Path properties) throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, String> producers = new LinkedHashMap<>(); // internal endpoint -> file that sends to it
        Set<String> consumers = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(routesDir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        }
        if (files.isEmpty()) {
            problems.add(routesDir + ": no *.camel.yaml route files");
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            try (DefaultCamelContext ctx = new DefaultCamelContext()) {
                ctx.getPropertiesComponent().setLocation("file:" + properties.toAbsolutePath());
                ctx.build();
                Resource resource = PluginHelper.getResourceLoader(ctx).resolveResource("file:" + file.toAbsolutePath());
                try {
                    for (RoutesBuilder builder : PluginHelper.getRoutesLoader(ctx).findRoutesBuilders(resource)) {
                        ctx.addRoutes(builder);
                    }
                } catch (Exception e) {
                    problems.add(name + ": does not load: " + rootMessage(e));
                    continue;
                }
                Model model = ctx.getCamelContextExtension().getContextPlugin(Model.class);
                for (RouteDefinition route : model.getRouteDefinitions()) {
                    String where = name + " (route " + route.getRouteId() + ")";
                    String from = check(ctx, where, route.getInput().getEndpointUri(), problems);
                    if (from != null) {
                        internalName(from).ifPresent(consumers::add);
                    }
                    for (String uri : endpointUris(route.getOutputs())) {
                        String resolved = check(ctx, where, uri, problems);
                        if (resolved != null) {
                            internalName(resolved).ifPresent(n -> producers.putIfAbsent(n, where));
                        }
                    }
                }
                for (RouteConfigurationDefinition conf : model.getRouteConfigurationDefinitions()) {
                    if (conf.getErrorHandler() != null
                            && conf.getErrorHandler().getErrorHandlerType() instanceof DeadLetterChannelDefinition dlc) {
                        String where = name + " (routeConfiguration " + conf.getId() + ")";
                        String resolved = check(ctx, where, dlc.getDeadLetterUri(), problems);
                        if (resolved != null) {
                            internalName(resolved).ifPresent(n -> producers.putIfAbsent(n, where));
                        }
                    }
                }
            }
        }
        producers.forEach((endpoint, where) -> {
            if (!consumers.contains(endpoint)) {
                problems.add(where + ": sends to " + endpoint + ", which no route consumes (routes consume "
                        + consumers + ")");
            }
        });
        return problems;
    }

    /**
     * Checks one URI, recording what is wrong with it; returns it with placeholders resolved (null when they do not
     * resolve), so routes can still be paired by it.
     */
    private static String check(DefaultCamelContext ctx, String where, String uri, List<String> problems) {
        String resolved;
        try {
            resolved = ctx.resolvePropertyPlaceholders(uri);
        } catch (RuntimeException e) {
            problems.add(where + ": endpoint " + uri + ": " + rootMessage(e));
            return null;
        }
        int colon = resolved.indexOf(':');
        if (colon <= 0) {
            problems.add(where + ": endpoint " + resolved + " has no component scheme");
            return resolved;
        }
        String scheme = resolved.substring(0, colon);
        if (ctx.getComponent(scheme, true) == null) {
            problems.add(where + ": endpoint " + resolved + ": no component '" + scheme + "' on the classpath");
            return resolved;
        }
        EndpointUriFactory factory = ctx.getCamelContextExtension().getEndpointUriFactory(scheme);
        Map<String, Object> parameters;
        try {
            int query = resolved.indexOf('?');
            parameters = query < 0 ? Map.of() : URISupport.parseQuery(resolved.substring(query + 1));
        } catch (Exception e) {
            problems.add(where + ": endpoint " + resolved + " is not a valid URI: " + rootMessage(e));
            return resolved;
        }
        // lenient components (http) pass unknown options on to the remote side: only their types are checked
        for (String option : factory == null || factory.isLenientProperties() ? Set.<String>of() : parameters.keySet()) {
            if (!factory.propertyNames().contains(option)
                    && !COMPONENT_READ_OPTIONS.getOrDefault(scheme, Set.of()).contains(option)) {
                problems.add(where + ": endpoint " + resolved + ": unknown option '" + option + "' for " + scheme
                        + suggestion(option, factory.propertyNames()));
                return resolved;
            }
        }
        if (!resolved.contains("#")) { // bean references need the engine's beans: checked by the contract test
            try {
                ctx.getEndpoint(resolved); // creates it (option types, required values) without starting it
            } catch (RuntimeException e) {
                problems.add(where + ": endpoint " + resolved + " does not resolve: " + rootMessage(e));
            }
        }
        return resolved;
    }

    private static List<String> endpointUris(List<ProcessorDefinition<?>> outputs) {
        List<String> uris = new ArrayList<>();
        for (ProcessorDefinition<?> p : outputs) {
            if (p instanceof EndpointRequiredDefinition e && e.getEndpointUri() != null) {
                uris.add(e.getEndpointUri());
            }
            uris.addAll(endpointUris(p.getOutputs()));
            if (p instanceof CircuitBreakerDefinition cb && cb.getOnFallback() != null) {
                uris.addAll(endpointUris(cb.getOnFallback().getOutputs()));
            }
        }
        return uris;
    }

    /** "direct:x" or "seda:x" for the internal endpoints whose producer needs a consumer; empty otherwise. */
    private static java.util.Optional<String> internalName(String uri) {
        if (!uri.startsWith("direct:") && !uri.startsWith("seda:")) {
            return java.util.Optional.empty();
        }
        String plain = uri.replaceFirst("\\?.*", "").replace("://", ":");
        return java.util.Optional.of(plain);
    }

    private static String suggestion(String option, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(option.toLowerCase(), k.toLowerCase());
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}

package io.copytrader.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Build-time route validation: {@code mvn verify} fails when a route file in routes/ does not load or names an
 * endpoint wrongly. The same validator is fed broken copies to show what it reports.
 */
class RouteValidationTest {
    static final Path ROUTES = Path.of("routes");
    static final Path PROPERTIES = Path.of("application.properties");

    @TempDir
    Path dir;

    @Test
    void shouldFindEveryRouteFileAndEndpointInRoutesValid() throws IOException {
        assertThat(RouteValidator.validate(ROUTES, PROPERTIES)).isEmpty();
    }

    @Test
    void shouldReportAMisspeltEndpointOptionWithFileAndSuggestion() throws IOException {
        copyRoutes();
        edit("monitor-orders.camel.yaml", "delay:", "dellay:");

        List<String> problems = RouteValidator.validate(dir, PROPERTIES);

        assertThat(problems).singleElement().asString()
                .contains("monitor-orders.camel.yaml", "route monitor-orders", "unknown option 'dellay' for scheduler",
                        "did you mean 'delay'?");
    }

    @Test
    void shouldReportAnEndpointNoRouteConsumes() throws IOException {
        copyRoutes();
        edit("copy-trade.camel.yaml", "uri: direct:dead-letters", "uri: direct:dead-leters");

        assertThat(RouteValidator.validate(dir, PROPERTIES)).singleElement().asString()
                .contains("copy-trade.camel.yaml", "sends to direct:dead-leters, which no route consumes");
    }

    @Test
    void shouldReportAnUnknownComponentAndAFileThatDoesNotLoad() throws IOException {
        copyRoutes();
        edit("monitor-orders.camel.yaml", "uri: scheduler:monitor-orders", "uri: schedulr:monitor-orders");
        edit("dead-letters.camel.yaml", "    from:", "    fromm:");

        assertThat(RouteValidator.validate(dir, PROPERTIES))
                .anySatisfy(p -> assertThat(p).contains("monitor-orders.camel.yaml", "no component 'schedulr'"))
                .anySatisfy(p -> assertThat(p).contains("dead-letters.camel.yaml: does not load"));
    }

    private void copyRoutes() throws IOException {
        try (Stream<Path> files = Files.list(ROUTES)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
    }

    private void edit(String file, String from, String to) throws IOException {
        Path p = dir.resolve(file);
        String text = Files.readString(p);
        assertThat(text).contains(from);
        Files.writeString(p, text.replace(from, to));
    }
}

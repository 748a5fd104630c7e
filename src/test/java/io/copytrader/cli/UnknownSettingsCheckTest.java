package io.copytrader.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The start-up check refuses a {@code copytrader.*} key nothing reads (a misspelling ran on the default without a
 * word), naming it and the key meant, never its value; every key the shipped application.properties, the README and
 * the docs set passes, as do per-target keys and keys other than copytrader.*.
 */
@Timeout(60)
class UnknownSettingsCheckTest {
    private static final Function<String, String> ENV = Map.of("STORE_URL", "memory")::get;
    private static final Path SHIPPED = Path.of("application.properties");

    @TempDir
    Path dir;

    /** The check over the shipped application.properties with these lines added. */
    private String check(String... lines) throws IOException {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, Files.readString(SHIPPED) + "\n" + String.join("\n", lines) + "\n");
        return ConfigCheck.firstError("file:" + file, ENV);
    }

    @Test
    void shouldRefuseAMisspelledMoneySettingNamingTheKeyMeantButNotItsValue() throws IOException {
        String error = check("copytrader.copy.ration = 0.4242");

        assertThat(error).isEqualTo("copytrader.copy.ration (did you mean copytrader.copy.ratio?) is set, but no setting"
                + " reads it (a misspelled key would leave its setting at the default): correct its name or remove it");
        assertThat(check("copytrader.copy.max-position-size = 250"))
                .startsWith("copytrader.copy.max-position-size (did you mean copytrader.copy.max-position-size-usd?) is set")
                .doesNotContain("250");
    }

    @Test
    void shouldNeverShowTheValueOfAMisspelledSecret() throws IOException {
        String key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
        String error = check("copytrader.polymarket.privatekey = " + key, "copytrader.polymarket.api-secrte = c2VjcmV0LXZhbHVl");

        assertThat(error).startsWith("copytrader.polymarket.api-secrte (did you mean copytrader.polymarket.api-secret?), "
                        + "copytrader.polymarket.privatekey (did you mean copytrader.polymarket.private-key?) are set")
                .doesNotContain(key).doesNotContain(key.substring(2, 20)).doesNotContain("c2VjcmV0");
    }

    @Test
    void shouldNameAKeyNothingIsNearAndShowAnInvisibleCharacterInOne() throws IOException {
        assertThat(check("copytrader.colour = blue")).startsWith("copytrader.colour is set, but no setting reads it");
        // a zero-width space after the key, written as a properties file escapes it
        assertThat(check("copytrader.copy.ratio\\u200b = 0.5"))
                .startsWith("copytrader.copy.ratio\\u200b (did you mean copytrader.copy.ratio?) is set");
        // a per-target key written under another prefix
        assertThat(check("copytrader.feed.traders = alice,bob", "copytrader.target.bob.ratio = 0.5"))
                .startsWith("copytrader.target.bob.ratio (did you mean copytrader.targets.bob.ratio?) is set");
    }

    @Test
    void shouldPassTheShippedPropertiesAndEveryKeyTheReadmeAndTheDocsSet() throws IOException {
        assertThat(ConfigCheck.firstError("file:" + SHIPPED, ENV)).isNull();
        // the property lines of README.md and docs/*.md (per-target settings among them), their comments left out
        List<String> lines = new ArrayList<>();
        Pattern property = Pattern.compile("^(copytrader\\.[^\\s=:]+\\s*[=:].*?)(\\s+#.*)?$");
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            for (Path doc : Stream.concat(Stream.of(Path.of("README.md")), docs.filter(p -> p.toString().endsWith(".md")))
                    .toList()) {
                for (String line : Files.readAllLines(doc)) {
                    Matcher m = property.matcher(line.strip());
                    if (m.matches()) {
                        lines.add(m.group(1));
                    }
                }
            }
        }
        assertThat(lines).as("the README's per-target example").anyMatch(l -> l.startsWith("copytrader.targets.bob."));
        assertThat(check(lines.toArray(String[]::new))).isNull();
    }

    @Test
    void shouldLeavePerTargetKeysToTheirOwnCheckAndOtherNamespacesAlone() throws IOException {
        assertThat(check("copytrader.feed.traders = alice,Bob", "copytrader.targets.Bob.ratio = 0.5",
                "copytrader.targets.Bob.markets.deny = tok-1*", "camel.component.http.so-timeout = 5000",
                "my.own.tool = yes")).isNull();
        // a per-target misspelling is refused by the per-target settings, as before
        assertThat(check("copytrader.feed.traders = alice,Bob", "copytrader.targets.Bob.ratoi = 0.5"))
                .startsWith("copytrader.targets.Bob.ratoi is not a per-target setting");
    }

    @Test
    void shouldTakeAKeyThatARouteOrAnotherPropertyNamesAsRead() throws IOException {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        try (Stream<Path> shipped = Files.list(Path.of("routes"))) {
            for (Path route : shipped.toList()) {
                Files.copy(route, routes.resolve(route.getFileName()));
            }
        }
        Files.writeString(routes.resolve("greet.camel.yaml"), """
                - route:
                    id: greet
                    from:
                      uri: "timer:greet?period={{copytrader.greeting.period-ms}}"
                      steps:
                        - log: "${properties:copytrader.greeting.text}"
                """);
        assertThat(check("camel.main.routes-include-pattern = file:" + routes + "/*.camel.yaml",
                "copytrader.greeting.period-ms = 1000", "copytrader.greeting.text = hello",
                "copytrader.greeting.name = bob", "camel.main.name = copytrader-{{copytrader.greeting.name}}")).isNull();
        // the routes of the pattern are what counts: the shipped ones do not name the user's keys
        assertThat(check("copytrader.greeting.period-ms = 1000"))
                .startsWith("copytrader.greeting.period-ms is set, but no setting reads it");
    }

    @Test
    void shouldKnowEveryKeyTheShippedPropertiesSetWhateverTheVenueAndDetection() throws IOException {
        Properties shipped = new Properties();
        try (var in = Files.newInputStream(SHIPPED)) {
            shipped.load(in);
        }
        assertThat(shipped.stringPropertyNames()).filteredOn(k -> k.startsWith("copytrader.")).hasSizeGreaterThan(50);
        // the chain's and Kafka's keys are read whether chain detection and Kafka are on or not
        assertThat(check("copytrader.chain.get-logs-blocks = 100", "copytrader.kafka.claim-lease-ms = 7000")).isNull();
    }
    @Test
    void shouldRefuseAMisspelledSystemPropertyOrEnvironmentVariableOfOurs() {
        Set<String> variables = Set.of("COPYTRADER_COPY_RATION", "COPYTRADER_COPY_MAX_POSITION_SIZE_USD", "PATH",
                "COPY_RATIO", "COPYTRADER_CDS", "COPYTRADER_JIT", "COPYTRADER_TEST_POSTGRES_URL",
                "COPYTRADER_TARGETS_BOB_RATIO");
        Set<String> properties = Set.of("copytrader.feed.poll-interval-msec", "copytrader.copy.ratio", "java.home",
                "copytrader.cds.child");

        String error = ConfigCheck.firstError("file:" + SHIPPED, ENV, variables, properties);

        assertThat(error).isEqualTo("-Dcopytrader.feed.poll-interval-msec (did you mean -Dcopytrader.feed.poll-interval-ms?),"
                + " COPYTRADER_COPY_RATION in the environment (did you mean COPYTRADER_COPY_RATIO?) are set, but no"
                + " setting reads them (a misspelled key would leave its setting at the default): correct their names or"
                + " remove them");
    }

    @Test
    void shouldRefuseANearMissOfAVariableTheShippedSettingsReadAndPassEveryOneTheyRead() {
        // MAX_POSITION_SIZE_USD is read through a placeholder of application.properties, POLY_CLOB_URL by the
        // Polymarket venue's own reader, STORE_USER beside the settings: a letter off each is refused, never its value
        String error = ConfigCheck.firstError("file:" + SHIPPED, ENV,
                Set.of("MAX_POSITON_SIZE_USD", "POLY_CLOB_UR", "STORE_USR", "PATH", "HOME", "JAVA_HOME", "MAVEN_OPTS"),
                Set.of());

        assertThat(error).isEqualTo("MAX_POSITON_SIZE_USD (did you mean MAX_POSITION_SIZE_USD?), POLY_CLOB_UR (did you"
                + " mean POLY_CLOB_URL?), STORE_USR (did you mean STORE_USER?) are set in the environment, but no setting"
                + " reads them (the setting meant would stay at its default): correct their names or unset them");
        assertThat(ConfigCheck.firstError("file:" + SHIPPED, ENV, Set.of("MAX_POSITION_SIZE_USD", "POLY_CLOB_URL",
                "STORE_USER", "STORE_PASSWORD", "POLL_INTERVAL_MS", "MAX_IN_FLIGHT_ORDERS", "MANAGEMENT_PORT", "PATH"),
                Set.of())).isNull();
    }

    @Test
    void shouldPassEveryKeyThatIsReadWhenSetAsASystemPropertyOrInTheEnvironment() throws IOException {
        Properties shipped = new Properties();
        try (var in = Files.newInputStream(SHIPPED)) {
            shipped.load(in);
        }
        Set<String> keys = shipped.stringPropertyNames().stream().filter(k -> k.startsWith("copytrader."))
                .collect(Collectors.toSet());
        Set<String> variables = keys.stream().map(k -> k.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'))
                .collect(Collectors.toSet());
        assertThat(variables).contains("COPYTRADER_COPY_MAX_POSITION_SIZE_USD", "COPYTRADER_STORE_URL");

        assertThat(ConfigCheck.firstError("file:" + SHIPPED, ENV, variables, keys)).isNull();
        // the launcher's own variables, its child's mark and the test suite's database are no settings to judge
        assertThat(ConfigCheck.firstError("file:" + SHIPPED, ENV,
                Set.of("COPYTRADER_CDS", "COPYTRADER_JIT", "COPYTRADER_TEST_POSTGRES_PASSWORD"),
                Set.of("copytrader.cds.child"))).isNull();
    }
}

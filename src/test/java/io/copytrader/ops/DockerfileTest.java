package io.copytrader.ops;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** No Docker engine on the build machines: the Dockerfile's key lines are checked as text. */
class DockerfileTest {
    final List<String> lines = Files.readAllLines(Path.of("Dockerfile")).stream()
            .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    final String text = String.join("\n", lines);

    DockerfileTest() throws IOException {
    }

    @Test
    void shouldBuildWithMavenOnJdk17AndRunOnAJre17() {
        assertThat(lines).filteredOn(l -> l.startsWith("FROM ")).containsExactly(
                "FROM maven:3.9-eclipse-temurin-17 AS build", "FROM eclipse-temurin:17-jre");
        assertThat(text).contains("RUN mvn -B -q -DskipTests package",
                "COPY --from=build /src/target/copytrader.jar /app/copytrader.jar");
    }

    @Test
    void shouldRunAsANonRootUserWithSmallContainerJvmFlags() {
        assertThat(lines).filteredOn(l -> l.startsWith("USER ")).singleElement().asString()
                .doesNotContain("root").isNotEqualTo("USER 0");
        // C1 only, as java -jar runs the engine outside a container (README "Performance")
        assertThat(text).contains("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:MaxRAMPercentage=75",
                "-XX:+ExitOnOutOfMemoryError");
        assertThat(text).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/copytrader.jar\"]");
    }

    @Test
    void shouldKeepRoutesAndSettingsOutsideTheJarWithVolumesAndAHealthCheck() throws IOException {
        assertThat(text).contains("COPY --chown=copytrader:copytrader routes/ /app/routes/",
                "COPY --chown=copytrader:copytrader application.properties /app/application.properties",
                "WORKDIR /app", "VOLUME [\"/app/routes\", \"/app/data\"]");
        assertThat(text).containsPattern("HEALTHCHECK .*\\n.*curl -fsS \"http://127.0.0.1:\\$\\{MANAGEMENT_PORT}/observe/health/live\"");
        assertThat(text).contains("MANAGEMENT_HOST=0.0.0.0", "EXPOSE 9876");
        assertThat(Files.readString(Path.of("Dockerfile")).replace("\n", " "))
                .as("the comment on publishing the port to loopback").contains("-p 127.0.0.1:9876:9876");
    }
}

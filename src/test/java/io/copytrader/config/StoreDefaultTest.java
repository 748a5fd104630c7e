package io.copytrader.config;

import io.copytrader.store.StoreSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** One store default: the same in code and in application.properties, and an absolute path in the Docker image. */
class StoreDefaultTest {
    @Test
    void shouldDefaultToTheSameStoreInCodeAndInApplicationProperties() throws Exception {
        Matcher m = Pattern.compile("(?m)^copytrader\\.store\\.url\\s*=\\s*\\{\\{env:STORE_URL:(.+)}}\\s*$")
                .matcher(Files.readString(Path.of("application.properties")));
        assertThat(m.find()).as("copytrader.store.url in application.properties").isTrue();
        assertThat(m.group(1)).isEqualTo(StoreSettings.DEFAULT_URL);
        assertThat(CopyTraderSettings.load(key -> null).storeUrl()).isEqualTo(StoreSettings.DEFAULT_URL);
    }

    @Test
    void shouldKeepTheStoreOnTheDataVolumeByAnAbsolutePathInTheDockerImage() throws Exception {
        assertThat(Files.readString(Path.of("Dockerfile"))).contains("STORE_URL=jdbc:sqlite:/app/data/copytrader.db")
                .contains("VOLUME [\"/app/routes\", \"/app/data\"]");
    }
}

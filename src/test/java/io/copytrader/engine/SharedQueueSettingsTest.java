package io.copytrader.engine;

import io.copytrader.config.CopyTraderSettings;
import io.copytrader.config.InvalidSettingException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's copytrader.kafka.* keys, read from the shipped application.properties as the engine reads them. */
class SharedQueueSettingsTest {
    private static SharedQueueSettings read(Map<String, String> overrides) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            PropertiesComponent pc = context.getPropertiesComponent();
            pc.setLocation("file:application.properties");
            Properties override = new Properties();
            override.putAll(overrides);
            pc.setOverrideProperties(override);
            return SharedQueueSettings.read(CopyTraderSettings.strictLookupIn(pc));
        }
    }

    @Test
    void shouldBeOneInstanceWithoutBrokers() throws Exception {
        SharedQueueSettings one = read(Map.of());

        assertThat(one.shared()).isFalse();
        assertThat(one.claimLease()).isEqualTo(Duration.ofMillis(5000));
    }

    @Test
    void shouldPointTheRoutesEndpointsAtKafkaWithBrokersSet() throws Exception {
        SharedQueueSettings shared = read(Map.of("copytrader.kafka.brokers", "127.0.0.1:9092",
                "copytrader.kafka.instance-id", "engine-7")).requireComplete();

        assertThat(shared.shared()).isTrue();
        assertThat(shared.group()).isEqualTo("copytrader");
        assertThat(shared.tradesTopic()).isEqualTo("copytrader-trades");
        assertThat(shared.instanceId()).isEqualTo("engine-7");
        assertThat(shared.endpoints()).containsOnlyKeys("copytrader.queue.consumer-uri", "copytrader.queue.producer-uri",
                "copytrader.detect.tick-uri", "copytrader.detect.consumer-uri");
        assertThat(shared.endpoints().get("copytrader.queue.consumer-uri"))
                .startsWith("kafka:copytrader-trades?brokers=127.0.0.1:9092&groupId=copytrader&consumersCount=");
        assertThat(shared.endpoints().get("copytrader.detect.tick-uri"))
                .startsWith("kafka:copytrader-poll-ticks?brokers=127.0.0.1:9092&");
    }

    @Test
    void shouldRefuseBrokersWithoutTheKafkaKeysAndAValueCamelCannotResolve() {
        SharedQueueSettings missing = SharedQueueSettings.read(Map.of("copytrader.kafka.brokers", "127.0.0.1:9092")::get);
        assertThatThrownBy(missing::requireComplete).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("KAFKA_BROKERS is set, but copytrader.kafka.group, copytrader.kafka.trades-topic,"
                        + " copytrader.kafka.claim-lease-ms, ");
        assertThatThrownBy(() -> read(Map.of("copytrader.kafka.instance-id", "{{env:NO_SUCH_VARIABLE_IN_ANY_TEST}}")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("copytrader.kafka.instance-id could not be read");
    }
}

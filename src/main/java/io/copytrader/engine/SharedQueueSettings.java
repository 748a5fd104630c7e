package io.copytrader.engine;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * What the engine reads of {@code copytrader.kafka.*} itself (README "Running several instances"): the brokers (empty:
 * one instance, the in-process queue), the group and topic, this instance's name, the claim lease, and the Kafka
 * endpoints the routes' queue and tick endpoints are pointed at. Every key is read whether Kafka is used or not, so
 * the start-up check knows each one; the values are only used with brokers set.
 *
 * @param brokers   KAFKA_BROKERS; null or blank: one instance
 * @param endpoints the routes' endpoint key (copytrader.queue.consumer-uri, ...) -> the Kafka endpoint it becomes
 */
public record SharedQueueSettings(String brokers, String group, String tradesTopic, String instanceId,
                                  String claimLeaseMs, Map<String, String> endpoints) {
    /** The routes' endpoint keys and the copytrader.kafka.* key of the Kafka endpoint each one becomes. */
    private static final Map<String, String> ENDPOINTS = Map.of(
            "copytrader.queue.consumer-uri", "copytrader.kafka.queue-consumer-uri",
            "copytrader.queue.producer-uri", "copytrader.kafka.queue-producer-uri",
            "copytrader.detect.tick-uri", "copytrader.kafka.tick-producer-uri",
            "copytrader.detect.consumer-uri", "copytrader.kafka.tick-consumer-uri");

    /** @param value a key's value, placeholders resolved (null: not set, where the lookup allows it) */
    public static SharedQueueSettings read(Function<String, String> value) {
        String brokers = value.apply("copytrader.kafka.brokers");
        String group = value.apply("copytrader.kafka.group");
        String topic = value.apply("copytrader.kafka.trades-topic");
        String instance = value.apply("copytrader.kafka.instance-id");
        String lease = value.apply("copytrader.kafka.claim-lease-ms");
        Map<String, String> endpoints = new java.util.TreeMap<>();
        ENDPOINTS.forEach((route, kafka) -> endpoints.put(route, value.apply(kafka)));
        return new SharedQueueSettings(brokers, group, topic, instance, lease,
                java.util.Collections.unmodifiableMap(endpoints));
    }

    /** True with brokers set: the work is shared over Kafka. */
    public boolean shared() {
        return brokers != null && !brokers.isBlank();
    }

    /** With brokers set, every Kafka key but the instance's name must be set (the jar's application.properties does). */
    public SharedQueueSettings requireComplete() {
        java.util.List<String> missing = new java.util.ArrayList<>();
        if (group == null) {
            missing.add("copytrader.kafka.group");
        }
        if (tradesTopic == null) {
            missing.add("copytrader.kafka.trades-topic");
        }
        if (claimLeaseMs == null) {
            missing.add("copytrader.kafka.claim-lease-ms");
        }
        ENDPOINTS.forEach((route, kafka) -> {
            if (endpoints.get(route) == null) {
                missing.add(kafka);
            }
        });
        if (!missing.isEmpty()) {
            throw new io.copytrader.config.InvalidSettingException("KAFKA_BROKERS is set, but " + String.join(", ", missing)
                    + (missing.size() == 1 ? " is" : " are") + " not");
        }
        return this;
    }

    public Duration claimLease() {
        return Duration.ofMillis(Long.parseLong(claimLeaseMs.trim()));
    }
}

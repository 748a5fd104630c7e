package io.copytrader.engine;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Consumer lag of the copy queue's group: records on the topic not yet committed by the group, summed over the
 * partitions (the Kafka variant of the queue length). Read from the broker at most once a second; -1 when the broker
 * cannot be asked.
 */
public final class QueueLag implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueueLag.class);
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String topic;
    private final String group;
    private final Admin admin;
    private long readAt;
    private long lag = -1;

    public QueueLag(String brokers, String topic, String group) {
        this.topic = topic;
        this.group = group;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "copytrader-queue-lag");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        this.admin = Admin.create(p);
    }

    public synchronized long lag() {
        long now = System.nanoTime();
        if (readAt != 0 && now - readAt < REFRESH_NANOS) {
            return lag;
        }
        readAt = now;
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(2, TimeUnit.SECONDS);
            var partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(2, TimeUnit.SECONDS)
                    .get(topic).partitions();
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            partitions.forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> latest = admin.listOffsets(ends).all()
                    .get(2, TimeUnit.SECONDS);
            long sum = 0;
            for (var e : latest.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                sum += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
            }
            lag = sum;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.debug("Could not read the copy queue's consumer lag: {}", e.toString());
            lag = -1;
        }
        return lag;
    }

    @Override
    public void close() {
        admin.close();
    }
}

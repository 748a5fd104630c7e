package io.copytrader.scaleout;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Kafka 3.9.1 broker in KRaft mode (broker and controller in one), started as a child JVM on a
 * classpath of its own: {@code kafka_2.13:3.9.1} resolved from Maven Central by {@code src/test/kafka-broker/pom.xml}
 * (its Scala and Jackson do not mix with ours). Loopback, free ports, replication factor 1; killed on close.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Path CLASSPATH_FILE = Path.of("target", "kafka-broker.classpath");

    private final Process process;
    private final String bootstrap;

    private KafkaBroker(Process process, String bootstrap) {
        this.process = process;
        this.bootstrap = bootstrap;
    }

    /** Formats the log directory, starts the broker, waits until it answers and creates the topics. */
    public static KafkaBroker start(Path dir, Map<String, Integer> topicPartitions) throws Exception {
        String classpath = brokerClasspath();
        int port = freePort();
        int controllerPort = freePort();
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data").toAbsolutePath(),
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=5",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true", ""));
        Path log4j = dir.resolve("log4j.properties");
        Files.writeString(log4j, "log4j.rootLogger=WARN, out\nlog4j.appender.out=org.apache.log4j.ConsoleAppender\n"
                + "log4j.appender.out.layout=org.apache.log4j.PatternLayout\n"
                + "log4j.appender.out.layout.ConversionPattern=%d %p %c{1} %m%n\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> jvm = List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j.configuration=file:" + log4j.toAbsolutePath(), "-cp", classpath);
        // 1. format the storage with a new cluster id
        List<String> format = new ArrayList<>(jvm);
        format.addAll(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
                config.toString()));
        Process formatting = new ProcessBuilder(format).redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!formatting.waitFor(120, TimeUnit.SECONDS) || formatting.exitValue() != 0) {
            formatting.destroyForcibly();
            throw new IllegalStateException("kafka storage format failed: " + Files.readString(dir.resolve("format.log")));
        }
        // 2. the broker
        List<String> server = new ArrayList<>(jvm);
        server.addAll(List.of("kafka.Kafka", config.toString()));
        Process process = new ProcessBuilder(server).redirectErrorStream(true)
                .redirectOutput(dir.resolve("broker.log").toFile()).start();
        KafkaBroker broker = new KafkaBroker(process, "127.0.0.1:" + port);
        try {
            broker.createTopics(topicPartitions);
        } catch (Exception e) {
            broker.close();
            throw new IllegalStateException("kafka broker did not come up: " + Files.readString(dir.resolve("broker.log")), e);
        }
        return broker;
    }

    public String bootstrap() {
        return bootstrap;
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        return Admin.create(p);
    }

    private void createTopics(Map<String, Integer> topicPartitions) throws Exception {
        try (Admin admin = admin()) {
            List<NewTopic> topics = new ArrayList<>();
            topicPartitions.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, (short) 1)));
            admin.createTopics(topics).all().get(90, TimeUnit.SECONDS);
        }
    }

    /** CPU time the broker process used so far, in nanoseconds (0 where the OS does not report it). */
    public long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** The broker's classpath, resolved once with Maven into target/ (Maven Central, or the local repository). */
    private static synchronized String brokerClasspath() throws IOException, InterruptedException {
        if (!Files.exists(CLASSPATH_FILE)) {
            Files.createDirectories(CLASSPATH_FILE.getParent());
            Path log = CLASSPATH_FILE.resolveSibling("kafka-broker-classpath.log");
            Process mvn = new ProcessBuilder("mvn", "-B", "-q", "-f", "src/test/kafka-broker/pom.xml",
                    "dependency:build-classpath", "-Dmdep.outputFile=" + CLASSPATH_FILE.toAbsolutePath())
                    .directory(new File(System.getProperty("user.dir")))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!mvn.waitFor(5, TimeUnit.MINUTES) || mvn.exitValue() != 0 || !Files.exists(CLASSPATH_FILE)) {
                mvn.destroyForcibly();
                throw new IllegalStateException("could not resolve kafka_2.13:3.9.1: " + Files.readString(log));
            }
        }
        return Files.readString(CLASSPATH_FILE).trim();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** How long a consumer group takes to notice a killed member: what the engines are configured with. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
}

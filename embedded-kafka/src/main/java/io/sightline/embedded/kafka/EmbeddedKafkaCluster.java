package io.sightline.embedded.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka cluster in KRaft mode, running in this JVM from the Maven
 * Central jars: one combined broker+controller node, or one controller and several
 * brokers (separate roles, because a combined quorum hangs when one member stops).
 * Data lives under a directory of the caller's choosing, so a restart keeps topics.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private final Path dataDir;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Integer> brokerPorts = new ArrayList<>();
    private final java.util.Map<Integer, Properties> stoppedBrokers = new java.util.concurrent.ConcurrentHashMap<>();

    private record Node(int id, boolean broker, KafkaRaftServer server, Properties props) {}

    private EmbeddedKafkaCluster(Path dataDir) {
        this.dataDir = dataDir;
    }

    /**
     * Starts a single combined node.
     *
     * @param brokerPort client port, or 0 for a free one
     */
    public static EmbeddedKafkaCluster singleNode(Path dataDir, int brokerPort) {
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(dataDir);
        int port = brokerPort == 0 ? freePort() : brokerPort;
        int controllerPort = freePort();
        Properties props = baseProps(1);
        props.put("process.roles", "broker,controller");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("log.dirs", dataDir.resolve("node-1").toString());
        cluster.brokerPorts.add(port);
        cluster.startNode(1, true, props);
        return cluster;
    }

    /**
     * Starts one controller and {@code brokers} brokers, for replication and failover tests.
     * Internal topics get replication factor {@code min(3, brokers)}.
     */
    public static EmbeddedKafkaCluster multiBroker(Path dataDir, int brokers) {
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(dataDir);
        int controllerPort = freePort();
        String voters = "100@127.0.0.1:" + controllerPort;
        int rf = Math.min(3, brokers);

        cluster.startNode(100, false, controllerProperties(100, controllerPort, dataDir));

        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (int i = 1; i <= brokers; i++) {
            int id = i;
            int port = freePort();
            Properties props = brokerProperties(id, port, voters, rf, dataDir);
            cluster.brokerPorts.add(port);
            starting.add(CompletableFuture.runAsync(() -> cluster.startNode(id, true, props)));
        }
        starting.forEach(CompletableFuture::join);
        return cluster;
    }

    /** A controller-only node of a multi-broker cluster, its data under {@code dataDir/controller-<id>}. */
    public static Properties controllerProperties(int id, int controllerPort, Path dataDir) {
        Properties controller = baseProps(id);
        controller.put("process.roles", "controller");
        controller.put("controller.quorum.voters", id + "@127.0.0.1:" + controllerPort);
        controller.put("listeners", "CONTROLLER://127.0.0.1:" + controllerPort);
        controller.put("log.dirs", dataDir.resolve("controller-" + id).toString());
        controller.remove("inter.broker.listener.name");
        controller.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT");
        return controller;
    }

    /**
     * A broker-only node of a multi-broker cluster: internal and default topics replicated
     * {@code rf} times with {@code min.insync.replicas} 2 (when there are 2 replicas or more), data
     * under {@code dataDir/broker-<id>}.
     */
    public static Properties brokerProperties(int id, int port, String voters, int rf, Path dataDir) {
        Properties props = baseProps(id);
        props.put("process.roles", "broker");
        props.put("controller.quorum.voters", voters);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("log.dirs", dataDir.resolve("broker-" + id).toString());
        props.put("offsets.topic.replication.factor", String.valueOf(rf));
        props.put("transaction.state.log.replication.factor", String.valueOf(rf));
        props.put("transaction.state.log.min.isr", String.valueOf(Math.min(2, rf)));
        props.put("share.coordinator.state.topic.replication.factor", String.valueOf(rf));
        props.put("share.coordinator.state.topic.min.isr", String.valueOf(Math.min(2, rf)));
        props.put("default.replication.factor", String.valueOf(rf));
        props.put("min.insync.replicas", String.valueOf(Math.min(2, rf)));
        // Fail over within seconds, not the 9 s default, when a broker dies.
        props.put("broker.session.timeout.ms", "3000");
        props.put("broker.heartbeat.interval.ms", "500");
        return props;
    }

    /** {@code host:port,...} of every broker. */
    public String bootstrapServers() {
        return brokerPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops broker {@code id} (1-based) cleanly, as in a rolling restart. */
    public void stopBroker(int id) {
        Node node = nodes.stream()
                .filter(n -> n.broker() && n.id() == id)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no broker with id " + id));
        node.server().shutdown();
        node.server().awaitShutdown();
        nodes.remove(node);
        stoppedBrokers.put(id, node.props());
    }

    /**
     * Starts again a broker stopped with {@link #stopBroker(int)}, on the same port and
     * data directory, as after a restart. For a single node this restarts its controller too.
     */
    public void restartBroker(int id) {
        Properties props = stoppedBrokers.remove(id);
        if (props == null) {
            throw new IllegalArgumentException("broker " + id + " was not stopped with stopBroker");
        }
        startNode(id, true, props);
    }

    @Override
    public void close() {
        // Brokers in parallel first, then controllers: stopping one by one hangs once the quorum is gone.
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (Node node : List.copyOf(nodes)) {
            if (node.broker()) {
                stopping.add(CompletableFuture.runAsync(() -> stop(node)));
            }
        }
        stopping.forEach(CompletableFuture::join);
        nodes.stream().filter(n -> !n.broker()).forEach(EmbeddedKafkaCluster::stop);
        nodes.clear();
    }

    private static void stop(Node node) {
        node.server().shutdown();
        node.server().awaitShutdown();
    }

    private static Properties baseProps(int nodeId) {
        Properties props = new Properties();
        props.put("node.id", String.valueOf(nodeId));
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        // Without replication factor 1 on a single node a consumer group never gets an assignment.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // Topics are created on purpose (TopicBootstrap, Streams), never by a typo.
        props.put("auto.create.topics.enable", "false");
        props.put("num.partitions", "3");
        // The cleaner's default 128 MB dedupe buffer is most of a small heap.
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        return props;
    }

    private void startNode(int id, boolean broker, Properties props) {
        try {
            KafkaRaftServer server = KafkaNode.start(props, clusterId());
            synchronized (nodes) {
                nodes.add(new Node(id, broker, server, props));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka data directory under " + dataDir, e);
        }
    }

    /** The cluster id: kept in the data directory so that a restart formats nothing anew. */
    private synchronized String clusterId() throws IOException {
        Path file = dataDir.resolve("cluster.id");
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        String id = Uuid.randomUuid().toString();
        Files.createDirectories(dataDir);
        Files.writeString(file, id);
        return id;
    }

    /** A port nothing listens on now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}

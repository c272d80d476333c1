package io.sightline.reliability;

import static org.awaitility.Awaitility.await;

import io.sightline.aggregate.AggregateService;
import io.sightline.anomaly.AnomalyService;
import io.sightline.common.kafka.TopicBootstrap;
import io.sightline.embedded.kafka.EmbeddedKafkaCluster;
import io.sightline.embedded.kafka.KafkaNode;
import io.sightline.enrich.EnrichService;
import io.sightline.ingest.IngestGateway;
import io.sightline.registry.SchemaRegistryServer;
import io.sightline.schemas.Topics;
import io.sightline.serving.ServingApi;
import io.sightline.testkit.HttpChecks;
import io.sightline.testkit.PipelineEnvironment;
import io.sightline.testkit.ServiceProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The cluster under test, every part its own process so a kill is a real kill: a KRaft
 * controller and {@code brokers} brokers (replication factor 3, {@code min.insync.replicas}
 * 2), the schema registry, two ingest gateways, and instances of the enrich, aggregate,
 * anomaly and serving applications. Parts are named {@code broker-1}, {@code gateway-2},
 * {@code enrich-processor-3}, ...; logs go to {@code <dataDir>/logs/<name>-<start>.log}.
 */
public final class ClusterProcesses implements AutoCloseable {

    /** The Streams applications, named as their instances' names begin. */
    public static final List<String> APPLICATIONS =
            List.of("enrich-processor", "aggregate-processor", "anomaly-processor", "serving-api");

    public static final String WRITE_KEY = "reliability-key";
    private static final int PARTITIONS = 3;
    // Small heaps and a light JIT: some fifteen JVMs share two cores.
    private static final List<String> SERVICE_JVM =
            List.of("-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ActiveProcessorCount=1");
    private static final List<String> BROKER_JVM = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Path dataDir;
    private final Map<String, String> settings;
    private final String clusterId = UUID.randomUUID().toString();
    private final Map<String, ServiceProcess> running = new ConcurrentHashMap<>();
    private final Map<String, Properties> brokerProperties = new LinkedHashMap<>();
    private final Map<String, Integer> starts = new ConcurrentHashMap<>();
    private final Map<String, Integer> httpPorts = new ConcurrentHashMap<>();
    private final Map<String, Integer> nextInstance = new ConcurrentHashMap<>();
    private final Map<String, Path> upgradedTo = new ConcurrentHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String bootstrapServers;
    private String registryUrl;

    private ClusterProcesses(Path dataDir, Map<String, String> settings) {
        this.dataDir = dataDir;
        this.settings = settings;
    }

    /**
     * Starts the whole cluster and returns once every part answers {@code /health/ready}.
     *
     * @param settings {@code SIGHTLINE_*} settings for every service (e.g. the processing guarantee)
     * @param instances instances of each Streams application
     */
    public static ClusterProcesses start(
            Path dataDir,
            int brokers,
            int instances,
            Map<String, String> settings,
            Map<String, Short> kafkaFeatures,
            Consumer<String> progress) {
        ClusterProcesses cluster = new ClusterProcesses(dataDir, settings);
        try {
            Files.createDirectories(dataDir.resolve("logs"));
            cluster.startKafka(brokers);
            progress.accept("Kafka: " + brokers + " brokers at " + cluster.bootstrapServers);
            if (!kafkaFeatures.isEmpty()) {
                cluster.setFeatures(kafkaFeatures);
                progress.accept("Kafka feature levels set: " + kafkaFeatures);
            }
            // The registry is told its own address like every service (it checks the setting too).
            cluster.registryUrl = "http://127.0.0.1:"
                    + cluster.httpPorts.computeIfAbsent("schema-registry", n -> EmbeddedKafkaCluster.freePort());
            cluster.startService("schema-registry", SchemaRegistryServer.class, Map.of());
            cluster.awaitReady(List.of("schema-registry"), Duration.ofMinutes(2));
            for (int i = 0; i < 2; i++) {
                cluster.startInstance("gateway");
            }
            for (String application : APPLICATIONS) {
                for (int i = 0; i < instances; i++) {
                    cluster.startInstance(application);
                }
            }
            cluster.awaitReady(List.copyOf(cluster.running.keySet()), Duration.ofMinutes(4));
            progress.accept("Services ready: "
                    + cluster.httpPorts.keySet().stream().sorted().toList());
            return cluster;
        } catch (RuntimeException | IOException e) {
            cluster.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Sets the cluster's finalized feature levels (upgrading or safely downgrading), before any client starts. */
    private void setFeatures(Map<String, Short> levels) {
        Map<String, FeatureUpdate> updates = new HashMap<>();
        levels.forEach(
                (name, level) -> updates.put(name, new FeatureUpdate(level, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.updateFeatures(updates, new UpdateFeaturesOptions()).all().get(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting Kafka features " + levels, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot set Kafka features " + levels + ": " + e.getMessage(), e);
        }
    }

    private void startKafka(int brokers) throws IOException {
        int controllerPort = EmbeddedKafkaCluster.freePort();
        startNode(
                "controller", EmbeddedKafkaCluster.controllerProperties(100, controllerPort, dataDir.resolve("kafka")));
        String voters = "100@127.0.0.1:" + controllerPort;
        List<String> bootstrap = new ArrayList<>();
        for (int id = 1; id <= brokers; id++) {
            int port = EmbeddedKafkaCluster.freePort();
            Properties props = EmbeddedKafkaCluster.brokerProperties(
                    id, port, voters, Math.min(3, brokers), dataDir.resolve("kafka"));
            // Short failure detection for the clients too: a dead leader is noticed within seconds.
            props.put("group.min.session.timeout.ms", "3000");
            brokerProperties.put("broker-" + id, props);
            startNode("broker-" + id, props);
            bootstrap.add("127.0.0.1:" + port);
        }
        bootstrapServers = String.join(",", bootstrap);
        await().alias(brokers + " brokers registered")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    try (Admin admin = admin()) {
                        return admin.describeCluster()
                                        .nodes()
                                        .get(5, TimeUnit.SECONDS)
                                        .size()
                                == brokers;
                    }
                });
        TopicBootstrap.ensureTopics(
                Map.of("bootstrap.servers", bootstrapServers), Topics.ALL, Topics.COMPACTED, PARTITIONS, (short)
                        Math.min(3, brokers));
    }

    private void startNode(String name, Properties props) throws IOException {
        Path file = dataDir.resolve("kafka").resolve(name + ".properties");
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, name);
        }
        if (!name.equals("controller")) {
            brokerProperties.put(name, props);
        }
        launch(name, KafkaNode.class, List.of(file.toString(), clusterId), Map.of(), BROKER_JVM);
    }

    /** Starts one more instance of {@code application} (or of {@code gateway}) and answers its name. */
    public String startInstance(String application) {
        int n = nextInstance.merge(application, 1, Integer::sum);
        String name = application + "-" + n;
        startService(name, mainOf(application), Map.of());
        return name;
    }

    private void startService(String name, Class<?> main, Map<String, String> extra) {
        int port = httpPorts.computeIfAbsent(name, n -> EmbeddedKafkaCluster.freePort());
        Map<String, String> env = new HashMap<>(settings);
        env.putAll(extra);
        env.put("SIGHTLINE_HTTP_HOST", "127.0.0.1");
        env.put("SIGHTLINE_ADVERTISED_ENDPOINT", "127.0.0.1:" + port);
        env.put("SIGHTLINE_WRITE_KEYS", WRITE_KEY + ":reliability");
        launch(
                name,
                main,
                List.of(),
                PipelineEnvironment.serviceEnv(
                        bootstrapServers, registryUrl, dataDir.resolve("state").resolve(name), port, env),
                SERVICE_JVM);
    }

    private void launch(String name, Class<?> main, List<String> args, Map<String, String> env, List<String> jvm) {
        int start = starts.merge(name, 1, Integer::sum);
        Path log = dataDir.resolve("logs").resolve(name + "-" + start + ".log");
        Path upgrade = upgradedTo.get(name);
        running.put(
                name,
                ServiceProcess.start(name, main, args, env, log, jvm, upgrade == null ? List.of() : List.of(upgrade)));
    }

    /**
     * Stops {@code name} gracefully and starts it again with {@code classes} first on its class
     * path (a newer version of some of its classes), on the same port and state directory.
     */
    public void upgrade(String name, Path classes) {
        process(name).stop();
        upgradedTo.put(name, classes);
        restart(name);
    }

    /** SIGKILLs {@code name}: no shutdown hook, no last commit. */
    public void kill(String name) {
        process(name).kill();
    }

    /** Starts {@code name} again after a kill or stop, on the same port and state or data directory. */
    public void restart(String name) {
        if (brokerProperties.containsKey(name)) {
            Path file = dataDir.resolve("kafka").resolve(name + ".properties");
            launch(name, KafkaNode.class, List.of(file.toString(), clusterId), Map.of(), BROKER_JVM);
        } else {
            startService(name, mainOf(name.substring(0, name.lastIndexOf('-'))), Map.of());
        }
    }

    private static Class<?> mainOf(String application) {
        return switch (application) {
            case "gateway" -> IngestGateway.class;
            case "enrich-processor" -> EnrichService.class;
            case "aggregate-processor" -> AggregateService.class;
            case "anomaly-processor" -> AnomalyService.class;
            case "serving-api" -> ServingApi.class;
            default ->
                throw new IllegalArgumentException(
                        "no application " + application + "; one of gateway, " + APPLICATIONS);
        };
    }

    /** Stops {@code name} gracefully (SIGTERM), as scaling down does, and forgets it. */
    public void stop(String name) {
        process(name).stop();
        running.remove(name);
        httpPorts.remove(name);
    }

    public void pause(String name) {
        process(name).pause();
    }

    public void resume(String name) {
        process(name).resume();
    }

    /** The broker that leads most partitions of {@code topic}: the one whose loss moves most leaders. */
    public String leaderOf(String topic) {
        try {
            Map<Integer, Long> led = describe(topic).partitions().stream()
                    .filter(p -> p.leader() != null)
                    .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
            return "broker-"
                    + led.entrySet().stream()
                            .max(Map.Entry.comparingByValue())
                            .orElseThrow()
                            .getKey();
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe " + topic, e);
        }
    }

    /** Whether every partition of {@code topic} has all its replicas in sync. */
    public boolean fullyReplicated(String topic) {
        try {
            return describe(topic).partitions().stream().allMatch(ClusterProcesses::inSync);
        } catch (Exception e) {
            return false;
        }
    }

    private TopicDescription describe(String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic);
        }
    }

    private static boolean inSync(TopicPartitionInfo p) {
        return p.leader() != null && p.isr().size() == p.replicas().size();
    }

    /** Waits until each of {@code names} answers {@code /health/ready} (brokers: until they are in the cluster). */
    public void awaitReady(List<String> names, Duration timeout) {
        await().alias("ready: " + names)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> names.stream().allMatch(this::ready));
    }

    /** Whether {@code name} runs and, for a service, answers {@code /health/ready}. */
    public boolean ready(String name) {
        ServiceProcess p = running.get(name);
        if (p == null || !p.isAlive()) {
            if (p != null && !p.isAlive() && starts.getOrDefault(name, 0) > 0 && !brokerProperties.containsKey(name)) {
                // a service that exits on its own is a failure of the run, not a state to wait out
                throw new IllegalStateException(name + " exited:\n" + tail(p.logText()));
            }
            return false;
        }
        Integer port = httpPorts.get(name);
        if (port == null) {
            return true;
        }
        return HttpChecks.answersOk(
                http, URI.create("http://127.0.0.1:" + port + "/health/ready"), Duration.ofSeconds(2));
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }

    /** Names of the running parts whose name starts with {@code prefix}, in start order. */
    public List<String> instances(String prefix) {
        return running.keySet().stream()
                .filter(n -> n.startsWith(prefix + "-"))
                .sorted()
                .toList();
    }

    public String url(String name) {
        return "http://127.0.0.1:" + httpPorts.get(name);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String registryUrl() {
        return registryUrl;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers, "request.timeout.ms", 10_000));
    }

    private ServiceProcess process(String name) {
        ServiceProcess p = running.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no process " + name + "; running: " + running.keySet());
        }
        return p;
    }

    @Override
    public void close() {
        // Services first, brokers after (a service stopping needs them), the controller last.
        List<String> order = new ArrayList<>(running.keySet());
        order.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        for (String name : order) {
            ServiceProcess p = running.remove(name);
            if (p != null) {
                p.close();
            }
        }
    }

    private int rank(String name) {
        return name.equals("controller") ? 2 : brokerProperties.containsKey(name) ? 1 : 0;
    }
}

package io.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.embedded.kafka.EmbeddedKafkaCluster;
import io.sightline.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged distribution, exactly as the image runs it: {@code java -jar sightline.jar <service>}
 * with the runtime classpath in lib/ next to it (built by this module's package phase).
 */
class PackagedLauncherIT {

    private static final Path JAR = Path.of("target", "sightline.jar");

    @TempDir
    Path dataDir;

    @Test
    void shouldListEveryServiceOnHelp() throws Exception {
        Result result = run(Map.of(), "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).contains(Launcher.SERVICES.keySet());
    }

    @Test
    void shouldFailNamingTheServicesForAnUnknownOne() throws Exception {
        Result result = run(Map.of(), "ingest-gatway");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("ingest-gateway");
    }

    @Test
    void shouldCreateTheTopicsAndExitAsTheComposeServiceAndHelmJobDo() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.singleNode(dataDir, 0)) {
            Result result = run(
                    Map.of(
                            "SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS",
                            kafka.bootstrapServers(),
                            "SIGHTLINE_TOPICS_PARTITIONS",
                            "2",
                            "SIGHTLINE_TOPICS_REPLICATION_FACTOR",
                            "1",
                            "SIGHTLINE_TOPICS_MIN_INSYNC_REPLICAS",
                            "1"),
                    "create-topics");

            assertThat(result.exitCode()).as(result.output()).isZero();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertThat(topics).containsAll(Topics.ALL);
            }
        }
    }

    @Test
    void shouldExitNonZeroNamingTheSettingWhenTopicSettingsContradict() throws Exception {
        Result result = run(
                Map.of("SIGHTLINE_TOPICS_REPLICATION_FACTOR", "1", "SIGHTLINE_TOPICS_MIN_INSYNC_REPLICAS", "2"),
                "create-topics");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("SIGHTLINE_TOPICS_MIN_INSYNC_REPLICAS");
    }

    private record Result(int exitCode, String output) {}

    private static Result run(Map<String, String> env, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx256m", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("SIGHTLINE_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        process.getInputStream().transferTo(output);
        assertThat(process.waitFor(120, TimeUnit.SECONDS))
                .as("%s finished", command)
                .isTrue();
        return new Result(process.exitValue(), output.toString(StandardCharsets.UTF_8));
    }
}

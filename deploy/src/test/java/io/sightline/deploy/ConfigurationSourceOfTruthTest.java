package io.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.config.Settings;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One source of truth for configuration: every SIGHTLINE_* variable that docker-compose.yml
 * or the Helm chart sets is a setting the service documents (its Config class's DEFINITION)
 * or a real Kafka property passed through, and every required setting is set.
 */
@SuppressWarnings("unchecked")
class ConfigurationSourceOfTruthTest {

    @Test
    void shouldSetOnlyDocumentedSettingsAndEveryRequiredOneInDockerCompose() throws Exception {
        List<String> problems = new ArrayList<>();
        ComposeFile.load()
                .sightlineServices()
                .forEach((service, svc) -> problems.addAll(
                        ServiceCatalog.envProblems(service, ComposeFile.env(svc).keySet())));

        assertThat(problems).isEmpty();
    }

    @Test
    void shouldSetOnlyDocumentedSettingsAndEveryRequiredOneInTheHelmChart() {
        List<String> problems = new ArrayList<>();
        for (Manifests manifests :
                List.of(Manifests.renderDefaults(), Manifests.renderProduction(), Manifests.renderWithoutHooks())) {
            for (Map<String, Object> workload : manifests.workloads()) {
                for (Map<String, Object> container : Manifests.containers(workload)) {
                    String service = ((List<String>) container.get("args")).get(0);
                    problems.addAll(ServiceCatalog.envProblems(
                            service, Manifests.env(container).keySet()));
                }
            }
        }

        assertThat(problems).isEmpty();
    }

    @Test
    void shouldFlagAnUndocumentedVariableAMissingRequiredOneAndAnUnknownKafkaProperty() {
        assertThat(ServiceCatalog.envProblems(
                        "ingest-gateway", Set.of("SIGHTLINE_ACK_TIMEOUT_MS", "SIGHTLINE_ACK_TIMEOUT")))
                .anyMatch(p -> p.contains("SIGHTLINE_ACK_TIMEOUT is not a setting"))
                .anyMatch(p -> p.contains("required setting SIGHTLINE_WRITE_KEYS is missing"));
        assertThat(ServiceCatalog.envProblems("enrich-processor", Set.of("SIGHTLINE_KAFKA_NUM_STANDBY_REPLICA")))
                .singleElement()
                .asString()
                .contains("num.standby.replica");
        assertThat(ServiceCatalog.envProblems(
                        "enrich-processor",
                        Set.of(
                                "SIGHTLINE_KAFKA_NUM_STANDBY_REPLICAS",
                                "SIGHTLINE_KAFKA_GROUP_INSTANCE_ID",
                                "SIGHTLINE_KAFKA_CONSUMER_SESSION_TIMEOUT_MS",
                                "SIGHTLINE_KAFKA_TOPIC_MIN_INSYNC_REPLICAS",
                                "SIGHTLINE_KAFKA_SASL_JAAS_CONFIG")))
                .isEmpty();
    }

    @Test
    void shouldDocumentTheTopicJobsSettingsInTheDeploymentPage() throws Exception {
        String page = Files.readString(Manifests.REPO.resolve("docs").resolve("deployment.md"));

        for (String setting : TopicsConfig.DEFINITION.names()) {
            assertThat(page).contains("`" + Settings.envName(setting) + "`");
        }
    }

    /** Settings the chart sets from its own values; values.schema.json refuses them under settings. */
    private static final Set<String> SET_BY_THE_CHART = Set.of(
            "kafka.bootstrap.servers",
            "schema.registry.url",
            "schema.registry.basic.auth.user.info",
            "http.port",
            "state.dir",
            "write.keys",
            "advertised.endpoint",
            "read.tokens",
            "pii.hash.secret",
            "admin.tokens",
            "access.tokens",
            "archive.dir",
            "archive.spool.dir",
            "archive.s3.bucket",
            "archive.s3.prefix",
            "archive.s3.endpoint",
            "archive.s3.region",
            "archive.s3.path.style");

    @Test
    void shouldAllowInTheChartSchemaExactlyTheSettingsEachServiceDocuments() throws Exception {
        Map<String, Object> schema =
                new org.yaml.snakeyaml.Yaml().load(Files.readString(Manifests.CHART.resolve("values.schema.json")));

        SERVICE_BY_VALUES_KEY.forEach((key, service) -> {
            List<String> allowed = (List<String>)
                    Manifests.path(schema, "properties." + key + ".properties.settings.propertyNames.enum");
            Set<String> expected = new java.util.TreeSet<>(
                    ServiceCatalog.DEFINITIONS.get(service).names());
            expected.removeAll(SET_BY_THE_CHART);
            assertThat(allowed)
                    .as("%s.settings in values.schema.json", key)
                    .containsExactlyInAnyOrderElementsOf(expected);
        });
    }

    @Test
    void shouldRejectAMistypedServiceSettingAtInstall() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Manifests.render(c -> c.set("aggregate.settings.window\\.grace\\.msec", 1)))
                .hasMessageContaining("window.grace.msec");
    }

    private static final Map<String, String> SERVICE_BY_VALUES_KEY = Map.of(
            "gateway",
            "ingest-gateway",
            "enrich",
            "enrich-processor",
            "aggregate",
            "aggregate-processor",
            "anomaly",
            "anomaly-processor",
            "serving",
            "serving-api",
            "archiver",
            "archiver");

    @Test
    void shouldAcceptOnlySettingsAServiceDocumentsInTheProductionExample() throws Exception {
        Map<String, Object> values = new org.yaml.snakeyaml.Yaml().load(Files.readString(Manifests.PRODUCTION_VALUES));
        List<String> problems = new ArrayList<>();
        SERVICE_BY_VALUES_KEY.forEach((key, service) -> {
            Object settings = Manifests.path(values, key + ".settings");
            if (settings instanceof Map<?, ?> map) {
                for (Object name : map.keySet()) {
                    if (!ServiceCatalog.DEFINITIONS.get(service).names().contains(String.valueOf(name))) {
                        problems.add(key + ".settings." + name + " is not a setting of " + service);
                    }
                }
            }
        });

        assertThat(problems).isEmpty();
    }
}

package io.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml, its Prometheus configuration and Grafana provisioning agree with the services and each other. */
@SuppressWarnings("unchecked")
class ComposeFileTest {

    private static ComposeFile compose;

    @BeforeAll
    static void load() throws Exception {
        compose = ComposeFile.load();
    }

    @Test
    void shouldRunKafkaARegistryTheFiveServicesAndMonitoring() {
        assertThat(compose.services())
                .containsKeys(
                        "kafka",
                        "schema-registry",
                        "create-topics",
                        "ingest-gateway",
                        "enrich-processor",
                        "aggregate-processor",
                        "anomaly-processor",
                        "serving-api",
                        "prometheus",
                        "grafana");
        assertThat(compose.sightlineServices().keySet())
                .allSatisfy(command -> assertThat(Launcher.SERVICES).containsKey(command));
        assertThat(compose.service("kafka").get("image")).asString().startsWith("apache/kafka:");
        assertThat(ComposeFile.env(compose.service("kafka"))).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");
    }

    @Test
    void shouldPinEveryImage() {
        compose.services()
                .forEach((name, svc) -> assertThat(String.valueOf(svc.get("image")))
                        .as("%s image", name)
                        .matches("[a-z0-9./_-]+:v?[0-9][A-Za-z0-9._-]*"));
    }

    @Test
    void shouldPublishEachServiceOnItsOwnPortAndListenThere() {
        compose.sightlineServices().forEach((command, svc) -> {
            if (!ServiceCatalog.HTTP_SERVICES.contains(command)) {
                return;
            }
            int port = ServiceCatalog.defaultPort(command);
            assertThat(ComposeFile.env(svc))
                    .as("%s port", command)
                    .containsEntry("SIGHTLINE_HTTP_PORT", Integer.toString(port));
            assertThat((List<String>) svc.get("ports"))
                    .as("%s published port", command)
                    .containsExactly(port + ":" + port);
        });
        assertThat(ComposeFile.env(compose.service("serving-api")))
                .containsEntry(
                        "SIGHTLINE_ADVERTISED_ENDPOINT", "serving-api:" + ServiceCatalog.defaultPort("serving-api"));
        assertThat(ComposeFile.env(compose.service("ingest-gateway")).get("SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS"))
                .isEqualTo("kafka:9092");
    }

    @Test
    void shouldHealthCheckEveryLongRunningService() {
        compose.services().forEach((name, svc) -> {
            if ("no".equals(svc.get("restart"))) {
                return;
            }
            assertThat(svc).as("%s healthcheck", name).containsKey("healthcheck");
            assertThat((Map<String, Object>) svc.get("healthcheck"))
                    .as("%s healthcheck", name)
                    .containsKey("test");
        });
        compose.sightlineServices().forEach((command, svc) -> {
            if (ServiceCatalog.HTTP_SERVICES.contains(command)) {
                assertThat(String.valueOf(((Map<String, Object>) svc.get("healthcheck")).get("test")))
                        .as("%s checks readiness through the image's script", command)
                        .contains("/opt/sightline/bin/healthcheck");
            }
        });
    }

    @Test
    void shouldStartInDependencyOrderWithConditionsTheTargetsCanMeet() {
        compose.services()
                .forEach((name, svc) -> ComposeFile.dependsOn(svc).forEach((target, condition) -> {
                    Map<String, Object> dependency = compose.service(target);
                    assertThat(dependency)
                            .as("%s depends on unknown service %s", name, target)
                            .isNotNull();
                    switch (condition) {
                        case "service_healthy" ->
                            assertThat(dependency)
                                    .as("%s waits for %s to be healthy", name, target)
                                    .containsKey("healthcheck");
                        case "service_completed_successfully" ->
                            assertThat(dependency.get("restart"))
                                    .as("%s is one-shot", target)
                                    .isEqualTo("no");
                        case "service_started" -> {}
                        default -> throw new AssertionError(name + " has unknown condition " + condition);
                    }
                }));
        for (String service : List.of(
                "ingest-gateway", "enrich-processor", "aggregate-processor", "anomaly-processor", "serving-api")) {
            assertThat(ComposeFile.dependsOn(compose.service(service)))
                    .as(service)
                    .containsEntry("kafka", "service_healthy")
                    .containsEntry("schema-registry", "service_healthy")
                    .containsEntry("create-topics", "service_completed_successfully");
        }
        assertThat(startOrder()).as("start order").hasSize(compose.services().size());
    }

    @Test
    void shouldKeepKafkaAndEveryStreamsAppsStateInNamedVolumes() {
        Set<String> declared = ((Map<String, Object>) compose.root().get("volumes")).keySet();
        for (String service :
                List.of("kafka", "enrich-processor", "aggregate-processor", "anomaly-processor", "serving-api")) {
            List<String> volumes = (List<String>) compose.service(service).get("volumes");
            assertThat(volumes).as("%s volumes", service).isNotEmpty();
            String named = volumes.get(0).substring(0, volumes.get(0).indexOf(':'));
            assertThat(declared).as("%s volume %s declared", service, named).contains(named);
        }
        for (String streamsApp : ServiceCatalog.STREAMS_APPS) {
            Map<String, Object> svc = compose.service(streamsApp);
            String mount = ((List<String>) svc.get("volumes")).get(0).split(":")[1];
            assertThat(ComposeFile.env(svc))
                    .as("%s state dir on its volume", streamsApp)
                    .containsEntry("SIGHTLINE_STATE_DIR", mount);
        }
    }

    @Test
    void shouldScrapeEveryServicesMetricsWithPrometheus() throws Exception {
        Map<String, Object> config =
                new Yaml().load(Files.readString(Manifests.REPO.resolve("deploy/compose/prometheus.yml")));
        Set<String> targets = new HashSet<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            assertThat(job.get("metrics_path")).isEqualTo(HealthEndpointsTest.METRICS);
            for (Map<String, Object> sc : (List<Map<String, Object>>) job.get("static_configs")) {
                targets.addAll((List<String>) sc.get("targets"));
            }
        }
        for (String service : List.of(
                "ingest-gateway", "enrich-processor", "aggregate-processor", "anomaly-processor", "serving-api")) {
            assertThat(targets).contains(service + ":" + ServiceCatalog.defaultPort(service));
        }
    }

    @Test
    void shouldProvisionGrafanaWithThePrometheusDatasourceAndTheSightlineDashboard() throws Exception {
        Path grafana = Manifests.REPO.resolve("deploy/compose/grafana");
        Map<String, Object> datasources =
                new Yaml().load(Files.readString(grafana.resolve("provisioning/datasources/prometheus.yml")));
        Map<String, Object> datasource = ((List<Map<String, Object>>) datasources.get("datasources")).get(0);
        assertThat(datasource.get("url")).isEqualTo("http://prometheus:9090");

        // JSON is YAML: the dashboard parses with the same parser.
        Map<String, Object> dashboard = new Yaml().load(Files.readString(grafana.resolve("dashboards/sightline.json")));
        List<Map<String, Object>> panels = (List<Map<String, Object>>) dashboard.get("panels");
        assertThat(panels)
                .extracting(p -> String.valueOf(p.get("title")))
                .anyMatch(t -> t.startsWith("Ingest rate"))
                .anyMatch(t -> t.startsWith("Rejected"))
                .anyMatch(t -> t.startsWith("Processor lag"))
                .anyMatch(t -> t.startsWith("Window freshness"))
                .anyMatch(t -> t.startsWith("Alert"))
                .anyMatch(t -> t.startsWith("JVM"));
        for (Map<String, Object> panel : panels) {
            assertThat(Manifests.path(panel, "datasource.uid")).isEqualTo(datasource.get("uid"));
        }
        List<String> mounts = (List<String>) compose.service("grafana").get("volumes");
        assertThat(mounts)
                .anyMatch(m -> m.startsWith("./deploy/compose/grafana/provisioning:"))
                .anyMatch(m -> m.startsWith("./deploy/compose/grafana/dashboards:"));
    }

    /** Services in an order that starts every dependency first; fails on a cycle. */
    private List<String> startOrder() {
        List<String> order = new ArrayList<>();
        Set<String> visiting = new HashSet<>();
        for (String name : compose.services().keySet()) {
            visit(name, visiting, order);
        }
        return order;
    }

    private void visit(String name, Set<String> visiting, List<String> order) {
        if (order.contains(name)) {
            return;
        }
        if (!visiting.add(name)) {
            throw new AssertionError("depends_on cycle through " + name);
        }
        ComposeFile.dependsOn(compose.service(name)).keySet().forEach(d -> visit(d, visiting, order));
        visiting.remove(name);
        order.add(name);
    }
}

package io.sightline.deploy;

import static io.sightline.deploy.Manifests.component;
import static io.sightline.deploy.Manifests.containers;
import static io.sightline.deploy.Manifests.env;
import static io.sightline.deploy.Manifests.labels;
import static io.sightline.deploy.Manifests.path;
import static io.sightline.deploy.Manifests.podSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.sightline.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/** The Helm chart under k8s/sightline, linted and rendered by helm, with default values and the production example. */
@SuppressWarnings("unchecked")
class HelmChartTest {

    private static Manifests defaults;
    private static Manifests production;
    private static Manifests withoutHooks;

    @BeforeAll
    static void render() {
        defaults = Manifests.renderDefaults();
        production = Manifests.renderProduction();
        withoutHooks = Manifests.renderWithoutHooks();
    }

    static Stream<Arguments> renders() {
        return Stream.of(
                Arguments.of("default values", defaults),
                Arguments.of("production example", production),
                Arguments.of("production example without hooks", withoutHooks));
    }

    @Test
    void shouldPassHelmLint() {
        LintResult result = new Helm(Manifests.CHART).lint().strict().call();

        assertThat(result.isFailed())
                .as("helm lint --strict: %s", result.getMessages())
                .isFalse();
    }

    @Test
    void shouldPassHelmLintWithTheProductionExample(@TempDir Path dir) throws Exception {
        // helm-java's lint takes no values file: lint a copy of the chart whose defaults are the example merged in.
        Path chart = dir.resolve("sightline");
        try (Stream<Path> files = Files.walk(Manifests.CHART)) {
            for (Path source : files.toList()) {
                Files.copy(
                        source, chart.resolve(Manifests.CHART.relativize(source).toString()));
            }
        }
        Yaml yaml = new Yaml();
        Map<String, Object> values = yaml.load(Files.readString(Manifests.CHART.resolve("values.yaml")));
        merge(values, yaml.load(Files.readString(Manifests.PRODUCTION_VALUES)));
        Files.writeString(chart.resolve("values.yaml"), yaml.dump(values));

        LintResult result = new Helm(chart).lint().strict().call();

        assertThat(result.isFailed())
                .as("helm lint --strict: %s", result.getMessages())
                .isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void shouldRunEveryStreamsAppAsAStatefulSetWithStateVolumeStaticMembershipAndPdb(
            String values, Manifests manifests) {
        assertThat(manifests.ofKind("StatefulSet"))
                .extracting(Manifests::component)
                .as("the Streams apps, and the archiver")
                .containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(
                                ServiceCatalog.STREAMS_APPS.stream(), java.util.stream.Stream.of("archiver"))
                        .toList());
        List<Map<String, Object>> statefulSets = manifests.ofKind("StatefulSet").stream()
                .filter(s -> ServiceCatalog.STREAMS_APPS.contains(component(s)))
                .toList();

        for (Map<String, Object> sts : statefulSets) {
            String component = component(sts);
            List<Map<String, Object>> claims = (List<Map<String, Object>>) path(sts, "spec.volumeClaimTemplates");
            assertThat(claims).as("%s volume claims", component).hasSize(1);
            String claim = (String) path(claims.get(0), "metadata.name");

            Map<String, Object> container = containers(sts).get(0);
            Map<String, String> env = env(container);
            assertThat(env)
                    .as("%s static membership", component)
                    .containsEntry("SIGHTLINE_KAFKA_GROUP_INSTANCE_ID", "field:metadata.name");
            String stateDir = env.get("SIGHTLINE_STATE_DIR");
            assertThat((List<Map<String, Object>>) container.get("volumeMounts"))
                    .as("%s mounts its claim at the state dir", component)
                    .anySatisfy(m -> {
                        assertThat(m.get("name")).isEqualTo(claim);
                        assertThat(m.get("mountPath")).isEqualTo(stateDir);
                    });
            assertThat(((Number) podSpec(sts).get("terminationGracePeriodSeconds")).intValue())
                    .as("%s grace period", component)
                    .isGreaterThanOrEqualTo(60);
            assertThat(manifests.find("Service", (String) path(sts, "spec.serviceName")))
                    .as("%s headless service", component)
                    .hasValueSatisfying(
                            svc -> assertThat(path(svc, "spec.clusterIP")).isEqualTo("None"));
        }
    }

    @Test
    void shouldDocumentEveryValueInValuesYaml() throws Exception {
        List<String> lines = Files.readAllLines(Manifests.CHART.resolve("values.yaml"));
        List<String> undocumented = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("\\s*[A-Za-z][\\w.-]*:.*")) {
                int previous = i - 1;
                while (previous >= 0 && lines.get(previous).isBlank()) {
                    previous--;
                }
                if (previous < 0 || !lines.get(previous).trim().startsWith("#")) {
                    undocumented.add((i + 1) + ": " + lines.get(i).trim());
                }
            }
        }

        assertThat(undocumented).as("values without a comment above them").isEmpty();
    }

    /** Helm's merge: maps merge key by key, anything else replaces. */
    private static void merge(Map<String, Object> base, Map<String, Object> overrides) {
        overrides.forEach((key, value) -> {
            if (value instanceof Map<?, ?> map && base.get(key) instanceof Map<?, ?> existing) {
                merge((Map<String, Object>) existing, (Map<String, Object>) map);
            } else {
                base.put(key, value);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void shouldGiveEveryWorkloadAPodDisruptionBudgetOfOne(String values, Manifests manifests) {
        List<Map<String, Object>> pdbs = manifests.ofKind("PodDisruptionBudget");
        for (Map<String, Object> workload : manifests.workloads()) {
            if ("Job".equals(workload.get("kind"))) {
                continue;
            }
            Object selector = path(workload, "spec.selector.matchLabels");
            assertThat(pdbs).as("PDB for %s", component(workload)).anySatisfy(pdb -> {
                assertThat(path(pdb, "spec.selector.matchLabels")).isEqualTo(selector);
                assertThat(path(pdb, "spec.maxUnavailable")).isEqualTo(1);
            });
        }
        assertThat(pdbs).hasSize(6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void shouldProbeHealthEndpointsOnThePortTheServiceListensOn(String values, Manifests manifests) {
        for (Map<String, Object> workload : manifests.workloads()) {
            if ("Job".equals(workload.get("kind"))) {
                continue;
            }
            String service = component(workload);
            Map<String, Object> container = containers(workload).get(0);
            assertThat((List<String>) container.get("args")).containsExactly(service);
            int port = Integer.parseInt(env(container).get("SIGHTLINE_HTTP_PORT"));
            List<Map<String, Object>> ports = (List<Map<String, Object>>) container.get("ports");
            assertThat(ports).as("%s ports", service).singleElement().satisfies(p -> {
                assertThat(p.get("name")).isEqualTo("http");
                assertThat(p.get("containerPort")).isEqualTo(port);
            });
            // The chart's ports are the services' own defaults (README's table), so nothing surprises a reader.
            assertThat(port).as("%s port", service).isEqualTo(ServiceCatalog.defaultPort(service));

            assertThat(path(container, "readinessProbe.httpGet.path")).isEqualTo(HealthEndpointsTest.READY);
            assertThat(path(container, "livenessProbe.httpGet.path")).isEqualTo(HealthEndpointsTest.LIVE);
            assertThat(path(container, "startupProbe.httpGet.path")).isEqualTo(HealthEndpointsTest.LIVE);
            for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                assertThat(path(container, probe + ".httpGet.port"))
                        .as("%s %s port", service, probe)
                        .isEqualTo("http");
            }
            int startupBudget = ((Number) path(container, "startupProbe.periodSeconds")).intValue()
                    * ((Number) path(container, "startupProbe.failureThreshold")).intValue();
            assertThat(startupBudget)
                    .as("%s startup budget (s)", service)
                    .isGreaterThanOrEqualTo(ServiceCatalog.STREAMS_APPS.contains(service) ? 300 : 60);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void shouldPinEveryImageToAVersion(String values, Manifests manifests) {
        for (Map<String, Object> workload : manifests.workloads()) {
            for (Map<String, Object> container : containers(workload)) {
                String image = (String) container.get("image");
                assertThat(image)
                        .as("%s image", component(workload))
                        .matches(".+:[0-9][^:/]*")
                        .doesNotEndWith(":latest");
            }
        }
    }

    @Test
    void shouldRefuseTheLatestTag() {
        assertThatThrownBy(() -> Manifests.render(c -> c.set("image.tag", "latest")))
                .hasMessageMatching("(?s).*image[./]tag.*");
    }

    @Test
    void shouldRejectATypoInValues() {
        assertThatThrownBy(() -> Manifests.render(c -> c.set("gateway.replicsa", 3)))
                .hasMessageContaining("replicsa");
        assertThatThrownBy(() -> Manifests.render(c -> c.set("servng.replicas", 3)))
                .hasMessageContaining("servng");
    }

    @Test
    void shouldRejectASecretGivenInClearAsAKafkaProperty() {
        assertThatThrownBy(() -> Manifests.render(c -> c.set("kafka.properties.ssl\\.keystore\\.password", "hunter2")))
                .hasMessageContaining("password");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void shouldRunNonRootWithReadOnlyRootFilesystemAndAWritableTmp(String values, Manifests manifests) {
        for (Map<String, Object> workload : manifests.workloads()) {
            String name = component(workload);
            Map<String, Object> pod = podSpec(workload);
            assertThat(path(pod, "securityContext.runAsNonRoot"))
                    .as("%s runAsNonRoot", name)
                    .isEqualTo(true);
            assertThat(((Number) path(pod, "securityContext.runAsUser")).intValue())
                    .as("%s uid", name)
                    .isPositive();
            assertThat(pod.get("automountServiceAccountToken"))
                    .as("%s service account token", name)
                    .isEqualTo(false);
            for (Map<String, Object> container : containers(workload)) {
                assertThat(path(container, "securityContext.readOnlyRootFilesystem"))
                        .as("%s read-only root", name)
                        .isEqualTo(true);
                assertThat(path(container, "securityContext.allowPrivilegeEscalation"))
                        .as("%s escalation", name)
                        .isEqualTo(false);
                assertThat((List<String>) path(container, "securityContext.capabilities.drop"))
                        .contains("ALL");
                assertThat((List<Map<String, Object>>) container.get("volumeMounts"))
                        .as("%s /tmp", name)
                        .anySatisfy(m -> assertThat(m.get("mountPath")).isEqualTo("/tmp"));
            }
            assertThat((List<Map<String, Object>>) pod.get("volumes"))
                    .as("%s tmp volume", name)
                    .anySatisfy(v -> assertThat(v).containsKey("emptyDir").containsEntry("name", "tmp"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void shouldSizeTheHeapFromTheContainerMemoryLimit(String values, Manifests manifests) {
        for (Map<String, Object> workload : manifests.workloads()) {
            for (Map<String, Object> container : containers(workload)) {
                String name = component(workload);
                assertThat(path(container, "resources.limits.memory"))
                        .as("%s memory limit", name)
                        .isNotNull();
                assertThat(path(container, "resources.requests.memory"))
                        .as("%s memory request", name)
                        .isEqualTo(path(container, "resources.limits.memory"));
                assertThat(env(container).get("JAVA_OPTS"))
                        .as("%s JAVA_OPTS", name)
                        .containsPattern("-XX:MaxRAMPercentage=[1-9][0-9]")
                        .doesNotContain("-Xmx");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void shouldRunTheServingApiOnZgcAndTheOthersOnG1(String values, Manifests manifests) {
        assertThat(manifests.workloads()).extracting(Manifests::component).contains("serving-api", "ingest-gateway");
        for (Map<String, Object> workload : manifests.workloads()) {
            for (Map<String, Object> container : containers(workload)) {
                String name = component(workload);
                // Query tails are set by GC pauses (docs/benchmarks.md); the processors want G1's throughput.
                String javaOpts = env(container).get("JAVA_OPTS");
                if (name.equals("serving-api")) {
                    assertThat(javaOpts)
                            .as("%s JAVA_OPTS", name)
                            .contains("-XX:+UseZGC")
                            .doesNotContain("-XX:+UseG1GC");
                } else {
                    assertThat(javaOpts).as("%s JAVA_OPTS", name).doesNotContain("-XX:+UseZGC");
                }
            }
        }
    }

    @Test
    void shouldTakeEverySecretFromASecretInProduction() {
        Map<String, String> gateway = env(containers(production
                        .find("Deployment", "sl-sightline-ingest-gateway")
                        .orElseThrow())
                .get(0));

        assertThat(gateway)
                .containsEntry("SIGHTLINE_WRITE_KEYS", "secret:sightline-write-keys/write-keys")
                .containsEntry("SIGHTLINE_KAFKA_SASL_JAAS_CONFIG", "secret:sightline-kafka-sasl/sasl.jaas.config")
                .containsEntry(
                        "SIGHTLINE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "secret:sightline-schema-registry/user-info")
                .containsEntry("SIGHTLINE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("SIGHTLINE_KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        for (Map<String, Object> workload : production.workloads()) {
            Map<String, String> env = env(containers(workload).get(0));
            assertThat(env)
                    .as("%s", component(workload))
                    .containsEntry("SIGHTLINE_KAFKA_SASL_JAAS_CONFIG", "secret:sightline-kafka-sasl/sasl.jaas.config");
            assertThat(env.get("SIGHTLINE_KAFKA_SSL_TRUSTSTORE_LOCATION")).startsWith("/etc/sightline/kafka-tls/");
        }
        assertThat(production.ofKind("Secret"))
                .as("no chart-made Secret when every secret is named")
                .isEmpty();
    }

    @Test
    void shouldNeedANamedWriteKeySecretWhenHooksAreOff() {
        // The generated Secret is a pre-install hook (helm-java's template leaves hooks out of its output).
        assertThat(defaults.ofKind("Secret")).isEmpty();
        assertThat(env(containers(defaults.find("Deployment", "sl-sightline-ingest-gateway")
                                .orElseThrow())
                        .get(0)))
                .containsEntry("SIGHTLINE_WRITE_KEYS", "secret:sl-sightline-write-keys/write-keys");

        assertThatThrownBy(() -> Manifests.render(c -> c.set("useHooks", false)))
                .hasMessageContaining("writeKeys.existingSecret");
    }

    @Test
    void shouldGiveEveryWorkloadTheConfigurationFileFromValuesAsAMountedConfigMap() {
        Manifests manifests = Manifests.render(
                c -> c.set("config.tracking.plans", "web=web").set("config.catalog\\.report\\.ms", 5000));

        Map<String, Object> configMap =
                manifests.find("ConfigMap", "sl-sightline-config").orElseThrow();
        assertThat((String) ((Map<String, Object>) path(configMap, "data")).get("sightline.yaml"))
                .contains("plans: web=web")
                .contains("catalog.report.ms: 5000");
        // every service; not the topics hook, which runs before the ConfigMap exists
        assertThat(manifests.workloads())
                .filteredOn(w -> !"Job".equals(w.get("kind")))
                .hasSize(6)
                .allSatisfy(workload -> {
                    Map<String, Object> container = containers(workload).get(0);
                    assertThat(env(container))
                            .containsEntry("SIGHTLINE_CONFIG_FILE", "/etc/sightline/config/sightline.yaml");
                    assertThat(path(container, "volumeMounts").toString()).contains("mountPath=/etc/sightline/config");
                    assertThat(path(workload, "spec.template.metadata.annotations")
                                    .toString())
                            .contains("checksum/config");
                });
        assertThat(Manifests.renderDefaults().find("ConfigMap", "sl-sightline-config"))
                .as("none without config")
                .isEmpty();
    }

    @Test
    void shouldInjectNoServiceLinkVariablesThatWouldLookLikeSettings() {
        for (Map<String, Object> workload : production.workloads()) {
            assertThat(path(workload, "spec.template.spec.enableServiceLinks"))
                    .as("%s", path(workload, "metadata.name"))
                    .isEqualTo(false);
        }
    }

    @Test
    void shouldAdvertiseTheServingApiAtItsPodsStableDnsName() {
        Map<String, Object> serving =
                production.find("StatefulSet", "sl-sightline-serving-api").orElseThrow();
        Map<String, String> env = env(containers(serving).get(0));

        assertThat(env.get("SIGHTLINE_ADVERTISED_ENDPOINT"))
                .isEqualTo("$(POD_NAME).sl-sightline-serving-api-headless.$(POD_NAMESPACE).svc.cluster.local:8081");
        assertThat(env)
                .containsEntry("POD_NAME", "field:metadata.name")
                .containsEntry("POD_NAMESPACE", "field:metadata.namespace");
        // Kubernetes expands $(VAR) only from variables defined earlier in the list.
        List<String> order = List.copyOf(env.keySet());
        assertThat(order.indexOf("POD_NAME")).isLessThan(order.indexOf("SIGHTLINE_ADVERTISED_ENDPOINT"));
        Map<String, Object> headless =
                production.find("Service", "sl-sightline-serving-api-headless").orElseThrow();
        assertThat(path(headless, "spec.publishNotReadyAddresses")).isEqualTo(true);
        assertThat(production.find("Service", "sl-sightline-serving-api")).isPresent();
    }

    @Test
    void shouldScaleTheGatewayWithAnAutoscaler() {
        Map<String, Object> hpa = production
                .find("HorizontalPodAutoscaler", "sl-sightline-ingest-gateway")
                .orElseThrow();

        assertThat(path(hpa, "spec.scaleTargetRef.kind")).isEqualTo("Deployment");
        assertThat(path(hpa, "spec.minReplicas")).isEqualTo(3);
        assertThat(path(
                        production
                                .find("Deployment", "sl-sightline-ingest-gateway")
                                .orElseThrow(),
                        "spec.replicas"))
                .as("replicas belong to the autoscaler")
                .isNull();
    }

    @Test
    void shouldCreateEveryTopicInAHookJobWithReplicationThreeAndMinInsyncTwo() {
        // As a hook the Job is left out of helm-java's template output; without hooks it is a plain Job.
        assertThat(defaults.find("Job", "sl-sightline-create-topics")).isEmpty();
        Map<String, Object> job =
                withoutHooks.find("Job", "sl-sightline-create-topics").orElseThrow();
        Map<String, Object> container = containers(job).get(0);

        assertThat(path(job, "metadata.annotations")).isNull();
        assertThat((List<String>) container.get("args")).containsExactly("create-topics");
        Map<String, String> env = env(container);
        assertThat(env)
                .containsEntry("SIGHTLINE_TOPICS_REPLICATION_FACTOR", "3")
                .containsEntry("SIGHTLINE_TOPICS_MIN_INSYNC_REPLICAS", "2")
                .containsEntry("SIGHTLINE_TOPICS_RETENTION_RAW_MS", "604800000")
                .containsEntry("SIGHTLINE_TOPICS_RETENTION_DEAD_LETTERS_MS", "1209600000")
                .containsEntry("SIGHTLINE_TOPICS_RETENTION_ALERTS_MS", "7776000000")
                .containsEntry("SIGHTLINE_KAFKA_SASL_JAAS_CONFIG", "secret:sightline-kafka-sasl/sasl.jaas.config");

        // What the job does with those settings: every topic, users.profile.v1 compacted.
        TopicsConfig config = new TopicsConfig(env);
        assertThat(TopicCreator.plan(config)).extracting(t -> t.name()).containsExactlyElementsOf(Topics.ALL);
        assertThat(TopicCreator.plan(config)).allSatisfy(t -> {
            assertThat(t.replicationFactor()).isEqualTo((short) 3);
            assertThat(t.configs()).containsEntry("min.insync.replicas", "2");
            assertThat(t.configs().get("cleanup.policy"))
                    .isEqualTo(Topics.COMPACTED.contains(t.name()) ? "compact" : null);
        });
    }

    @Test
    void shouldAllowOnlyListedPeersIntoTheStreamsAppsInProduction() {
        List<Map<String, Object>> policies = production.ofKind("NetworkPolicy");
        assertThat(policies).hasSize(5);

        for (Map<String, Object> policy : policies) {
            List<Map<String, Object>> rules = (List<Map<String, Object>>) path(policy, "spec.ingress");
            assertThat(rules)
                    .as("%s", component(policy))
                    .allSatisfy(rule -> assertThat(rule.get("from"))
                            .as("rule without peers opens the port to all")
                            .isNotNull());
        }
    }

    @Test
    void shouldScrapeEveryServiceOnceThroughTheServiceMonitor() {
        Map<String, Object> monitor = production.ofKind("ServiceMonitor").get(0);
        Map<String, Object> selector = (Map<String, Object>) path(monitor, "spec.selector.matchLabels");

        List<Map<String, Object>> scraped = production.ofKind("Service").stream()
                .filter(svc -> labels(svc).entrySet().containsAll(selector.entrySet()))
                .toList();
        assertThat(scraped)
                .extracting(Manifests::component)
                .containsExactlyInAnyOrderElementsOf(Set.of(
                        "ingest-gateway",
                        "enrich-processor",
                        "aggregate-processor",
                        "anomaly-processor",
                        "serving-api",
                        "archiver"));
        assertThat(defaults.ofKind("ServiceMonitor"))
                .as("off by default: needs the operator's CRDs")
                .isEmpty();
    }
}

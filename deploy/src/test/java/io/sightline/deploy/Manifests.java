package io.sightline.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.Yaml;

/** The Helm chart rendered by helm itself (through helm-java), as parsed Kubernetes objects. */
record Manifests(List<Map<String, Object>> objects) {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path CHART = REPO.resolve("k8s/sightline");
    static final Path PRODUCTION_VALUES = CHART.resolve("examples/values-production.yaml");
    static final String RELEASE = "sl";
    /** The oldest Kubernetes the chart supports (Chart.yaml kubeVersion). */
    static final String KUBE_VERSION = "1.25.0";

    static Manifests render(UnaryOperator<TemplateCommand> options) {
        TemplateCommand command = new Helm(CHART)
                .template()
                .withName(RELEASE)
                .withNamespace("analytics")
                .withKubeVersion(KUBE_VERSION);
        return parse(options.apply(command).call());
    }

    static Manifests renderDefaults() {
        return render(c -> c);
    }

    static Manifests renderProduction() {
        return render(c -> c.withValuesFile(PRODUCTION_VALUES));
    }

    /** Hooks as plain resources (helm-java's template leaves hooks out), so the topic Job can be inspected. */
    static Manifests renderWithoutHooks() {
        return render(c -> c.withValuesFile(PRODUCTION_VALUES).set("useHooks", false));
    }

    @SuppressWarnings("unchecked")
    static Manifests parse(String yaml) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(yaml)) {
            if (doc instanceof Map<?, ?> map) {
                objects.add((Map<String, Object>) map);
            }
        }
        return new Manifests(objects);
    }

    List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    Optional<Map<String, Object>> find(String kind, String name) {
        return ofKind(kind).stream()
                .filter(o -> name.equals(path(o, "metadata.name")))
                .findFirst();
    }

    /** Deployments, StatefulSets and Jobs: everything that runs a pod. */
    List<Map<String, Object>> workloads() {
        return objects.stream()
                .filter(o -> List.of("Deployment", "StatefulSet", "Job").contains(o.get("kind")))
                .toList();
    }

    static String component(Map<String, Object> object) {
        return (String) labels(object).get("app.kubernetes.io/component");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> labels(Map<String, Object> object) {
        return (Map<String, Object>) path(object, "metadata.labels");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return (Map<String, Object>) path(workload, "spec.template.spec");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> containers(Map<String, Object> workload) {
        return (List<Map<String, Object>>) podSpec(workload).get("containers");
    }

    /** The container's environment: literal values, or "secret:<name>/<key>" and "field:<path>" for references. */
    @SuppressWarnings("unchecked")
    static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (Map<String, Object> var : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
            String name = (String) var.get("name");
            if (var.containsKey("value")) {
                env.put(name, String.valueOf(var.get("value")));
            } else if (path(var, "valueFrom.secretKeyRef") != null) {
                env.put(
                        name,
                        "secret:" + path(var, "valueFrom.secretKeyRef.name") + "/"
                                + path(var, "valueFrom.secretKeyRef.key"));
            } else if (path(var, "valueFrom.fieldRef") != null) {
                env.put(name, "field:" + path(var, "valueFrom.fieldRef.fieldPath"));
            } else {
                env.put(name, "other:" + var);
            }
        }
        return env;
    }

    /** The value at a dotted path of nested maps, or null. */
    @SuppressWarnings("unchecked")
    static Object path(Object root, String dotted) {
        Object current = root;
        for (String part : dotted.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = ((Map<String, Object>) map).get(part);
        }
        return current;
    }
}

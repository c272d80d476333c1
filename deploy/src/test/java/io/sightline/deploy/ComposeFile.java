package io.sightline.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml parsed (YAML anchors and merge keys resolved), with the accessors the tests need. */
record ComposeFile(Map<String, Object> root) {

    static final Path PATH = Manifests.REPO.resolve("docker-compose.yml");

    static ComposeFile load() throws IOException {
        return new ComposeFile(new Yaml().load(Files.readString(PATH)));
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> services() {
        return (Map<String, Map<String, Object>>) root.get("services");
    }

    Map<String, Object> service(String name) {
        return services().get(name);
    }

    /** The Sightline image's services, by the service name they run (their command). */
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> sightlineServices() {
        Map<String, Map<String, Object>> byCommand = new TreeMap<>();
        services().forEach((name, svc) -> {
            if (String.valueOf(svc.get("image")).startsWith("sightline:")) {
                byCommand.put(((List<String>) svc.get("command")).get(0), svc);
            }
        });
        return byCommand;
    }

    /** A service's environment as strings, whether written as a map or as KEY=value items. */
    @SuppressWarnings("unchecked")
    static Map<String, String> env(Map<String, Object> service) {
        Map<String, String> env = new TreeMap<>();
        Object raw = service.get("environment");
        if (raw instanceof Map<?, ?> map) {
            map.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
        } else if (raw instanceof List<?> list) {
            for (Object item : list) {
                String s = String.valueOf(item);
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return env;
    }

    /** depends_on as service name to condition (the short list form means service_started). */
    @SuppressWarnings("unchecked")
    static Map<String, String> dependsOn(Map<String, Object> service) {
        Map<String, String> deps = new TreeMap<>();
        Object raw = service.get("depends_on");
        if (raw instanceof Map<?, ?> map) {
            map.forEach((k, v) -> deps.put(
                    String.valueOf(k),
                    String.valueOf(((Map<String, Object>) v).getOrDefault("condition", "service_started"))));
        } else if (raw instanceof List<?> list) {
            list.forEach(k -> deps.put(String.valueOf(k), "service_started"));
        }
        return deps;
    }
}

package io.sightline.configuration;

import io.sightline.common.config.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Generates {@code docs/configuration.md} from the services' declarations, so the page
 * cannot drift from the code ({@code ConfigurationDocsTest} fails when it does).
 * Regenerate with {@code ./mvnw -q -o -pl configuration test -Dtest=ConfigurationDocsTest -Dsightline.docs.regenerate=true}.
 */
public final class ConfigurationDocs {

    static final List<String> STREAMS_APPS =
            List.of("enrich-processor", "aggregate-processor", "anomaly-processor", "serving-api");

    private ConfigurationDocs() {}

    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration\n\n")
                .append(
                        "<!-- Generated from the services' setting declarations by io.sightline.configuration.ConfigurationDocs;\n")
                .append("     do not edit: change the declaration, then regenerate with\n")
                .append(
                        "     ./mvnw -q -o -pl configuration test -Dtest=ConfigurationDocsTest -Dsightline.docs.regenerate=true -->\n\n")
                .append("Every setting reaches every service the same way, whichever way Sightline runs:\n\n")
                .append("- as an environment variable: a setting named `a.b.c` is read from `SIGHTLINE_A_B_C`;\n")
                .append("- or from one YAML configuration file whose keys are the settings' names, flat or nested:\n")
                .append(
                        "  `bin/sightline-local --config sightline.yaml`, or `SIGHTLINE_CONFIG_FILE=/etc/sightline/sightline.yaml`\n")
                .append("  for a service started alone (the file mounted in Docker Compose, a ConfigMap in Helm).\n\n")
                .append(
                        "An environment variable wins over the file. Lists are comma-separated (or YAML lists in the file).\n")
                .append(
                        "Any Kafka client property passes through as `SIGHTLINE_KAFKA_<PROPERTY>` (or under `kafka:` in the\n")
                .append(
                        "file), for example `SIGHTLINE_KAFKA_SECURITY_PROTOCOL=SASL_SSL`. A bad value stops the service at\n")
                .append(
                        "start-up naming the variable; an unknown or misspelled name stops `bin/sightline-local` and the\n")
                .append(
                        "container's launcher naming the closest valid one. Each service reads the settings it declares,\n")
                .append("so one file can configure them all.\n\n")
                .append("```yaml\n")
                .append("# sightline.yaml\n")
                .append("write.keys: web-key:web,ios-key:ios\n")
                .append("tracking:\n")
                .append("  plans: [web=web, ios=mobile]\n")
                .append("  plan.modes: \"*=flag,unplanned_event=block\"\n")
                .append("admin.tokens: change-me\n")
                .append("alert.forward.url: http://alertmanager:9093/api/v2/alerts\n")
                .append("kafka:\n")
                .append("  security.protocol: SASL_SSL\n")
                .append("```\n");
        Map<String, ConfigDef.ConfigKey> everyService = ConfigurationCatalog.sharedByAll();
        Map<String, ConfigDef.ConfigKey> everyStreamsApp = new TreeMap<>(ConfigurationCatalog.sharedBy(STREAMS_APPS));
        everyStreamsApp.keySet().removeAll(everyService.keySet());
        section(
                md,
                "Every service",
                everyService,
                ConfigurationCatalog.SERVICES.keySet().stream().toList());
        section(md, "Every Streams app (" + String.join(", ", STREAMS_APPS) + ")", everyStreamsApp, STREAMS_APPS);
        for (Map.Entry<String, ConfigDef> service : ConfigurationCatalog.SERVICES.entrySet()) {
            Map<String, ConfigDef.ConfigKey> own =
                    new TreeMap<>(service.getValue().configKeys());
            own.keySet().removeAll(everyService.keySet());
            if (STREAMS_APPS.contains(service.getKey())) {
                own.keySet().removeAll(everyStreamsApp.keySet());
            }
            section(md, service.getKey(), own, List.of(service.getKey()));
        }
        return md.toString();
    }

    /**
     * What a validator accepts, as it describes itself. A validator without a description
     * (a bare lambda) would print a class name and a hash, different on every run: refused,
     * naming the setting, so its declaration gets one (ConfigDef.LambdaValidator.with).
     */
    static String describe(ConfigDef.ConfigKey key) {
        String text = key.validator.toString();
        if (text.contains("$$Lambda") || text.matches(".*@[0-9a-f]+$")) {
            throw new IllegalStateException("The validator of " + key.name + " does not describe itself ('" + text
                    + "'): declare it with ConfigDef.LambdaValidator.with(check, description)");
        }
        return text;
    }

    private static void section(
            StringBuilder md, String title, Map<String, ConfigDef.ConfigKey> keys, List<String> services) {
        md.append("\n## ")
                .append(title)
                .append("\n\n| variable | file key | type | default | meaning |\n|---|---|---|---|---|\n");
        for (ConfigDef.ConfigKey key : keys.values()) {
            md.append("| `")
                    .append(Settings.envName(key.name))
                    .append("` | `")
                    .append(key.name)
                    .append("` | ")
                    .append(key.type.name().toLowerCase())
                    .append(" | ")
                    .append(defaults(key.name, services))
                    .append(" | ")
                    .append(key.documentation.replace('|', '/').replace('\n', ' '));
            if (key.validator != null && !key.validator.toString().isBlank()) {
                md.append(" Valid: ").append(describe(key).replace('|', '/')).append('.');
            }
            md.append(" |\n");
        }
    }

    /** The default, or each service's when they differ (every service has its own HTTP port). */
    private static String defaults(String name, List<String> services) {
        Map<String, String> byService = new LinkedHashMap<>();
        for (String service : services) {
            byService.put(
                    service,
                    shown(ConfigurationCatalog.SERVICES
                            .get(service)
                            .configKeys()
                            .get(name)));
        }
        Set<String> distinct = Set.copyOf(byService.values());
        if (distinct.size() == 1) {
            return distinct.iterator().next();
        }
        StringBuilder b = new StringBuilder();
        byService.forEach((service, value) -> b.append(b.length() == 0 ? "" : ", ")
                .append(service)
                .append(": ")
                .append(value));
        return b.toString();
    }

    private static String shown(ConfigDef.ConfigKey key) {
        Object value = key.defaultValue;
        if (ConfigDef.NO_DEFAULT_VALUE.equals(value)) {
            return "(required)";
        }
        if (key.type == ConfigDef.Type.PASSWORD) {
            return "(secret, empty)";
        }
        String text = ConfigDef.convertToString(value, key.type);
        if (text == null || text.isEmpty()) {
            return "(empty)";
        }
        // defaults under the temporary directory read the same on every machine
        String tmp = System.getProperty("java.io.tmpdir").replaceAll("/+$", "");
        if (!tmp.isEmpty() && text.startsWith(tmp + "/")) {
            text = "<java.io.tmpdir>" + text.substring(tmp.length());
        }
        return "`" + text.replace('|', '/') + "`";
    }
}

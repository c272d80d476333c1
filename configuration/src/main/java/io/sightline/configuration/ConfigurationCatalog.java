package io.sightline.configuration;

import io.sightline.aggregate.AggregateConfig;
import io.sightline.anomaly.AnomalyConfig;
import io.sightline.archive.ArchiveConfig;
import io.sightline.common.config.ConfigFile;
import io.sightline.common.config.Settings;
import io.sightline.enrich.EnrichConfig;
import io.sightline.ingest.GatewayConfig;
import io.sightline.registry.RegistryConfig;
import io.sightline.serving.ServingConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Every setting of every service, each declared once in its service's {@code ConfigDef}
 * (name, type, default, validation, doc): what a configuration file or the environment
 * may set, checked before anything starts, and what {@code docs/configuration.md} is
 * generated from ({@link ConfigurationDocs}).
 */
public final class ConfigurationCatalog {

    /** Each service's settings, in the order the docs list them. */
    public static final Map<String, ConfigDef> SERVICES;

    static {
        Map<String, ConfigDef> services = new LinkedHashMap<>();
        services.put("ingest-gateway", GatewayConfig.DEFINITION);
        services.put("enrich-processor", EnrichConfig.DEFINITION);
        services.put("aggregate-processor", AggregateConfig.DEFINITION);
        services.put("anomaly-processor", AnomalyConfig.DEFINITION);
        services.put("serving-api", ServingConfig.DEFINITION);
        services.put("archiver", ArchiveConfig.DEFINITION);
        services.put("schema-registry", RegistryConfig.DEFINITION);
        SERVICES = java.util.Collections.unmodifiableMap(services);
    }

    /** Variables that are not settings of a service but are read by Sightline's tools. */
    static final Set<String> TOOL_VARIABLES = Set.of(
            ConfigFile.CONFIG_FILE_ENV,
            "SIGHTLINE_API_URL",
            "SIGHTLINE_READ_TOKEN",
            "SIGHTLINE_DATA_DIR",
            "SIGHTLINE_LOCAL_WRITE_KEY");

    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

    private ConfigurationCatalog() {}

    /** Every valid variable: each setting of each service and of {@code extra} (for example create-topics'), as {@code SIGHTLINE_*}. */
    public static Set<String> variables(Collection<ConfigDef> extra) {
        Set<String> names = new TreeSet<>(TOOL_VARIABLES);
        List<ConfigDef> all = new ArrayList<>(SERVICES.values());
        all.addAll(extra);
        for (ConfigDef definition : all) {
            definition.names().forEach(name -> names.add(Settings.envName(name)));
        }
        return names;
    }

    /**
     * Stops start-up at the first {@code SIGHTLINE_*} variable no service knows, naming it and
     * the closest valid one. {@code SIGHTLINE_KAFKA_*} passes through to the Kafka clients
     * and is not checked here (Kafka warns about unknown client properties itself).
     *
     * @param origin where the variables came from, for the message: "the environment" or a file
     */
    public static void checkKnown(Map<String, String> variables, String origin, Collection<ConfigDef> extra) {
        Set<String> valid = variables(extra);
        for (String name : new TreeSet<>(variables.keySet())) {
            if (name.startsWith(Settings.ENV_PREFIX)
                    && !name.startsWith(Settings.KAFKA_ENV_PREFIX)
                    && !valid.contains(name)) {
                throw new ConfigException("Unknown setting " + name + " in " + origin + "; did you mean "
                        + closest(name, valid) + "? Every setting is listed in docs/configuration.md");
            }
        }
    }

    /**
     * The settings for a whole deployment: a configuration file's (or none) under the
     * environment's, each checked for unknown names first.
     *
     * @param file  the configuration file, or null
     * @param extra declarations of settings beyond the services' (create-topics')
     */
    public static Map<String, String> resolve(Path file, Map<String, String> env, Collection<ConfigDef> extra) {
        Map<String, String> fromFile = file == null ? Map.of() : ConfigFile.read(file);
        checkKnown(fromFile, "configuration file " + file, extra);
        checkKnown(env, "the environment", extra);
        return ConfigFile.merge(fromFile, env);
    }

    /** The valid name nearest to {@code name} by edit distance (ties: the first in order). */
    static String closest(String name, Set<String> valid) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : valid) {
            int d = DISTANCE.apply(name, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Settings declared by every service (connection, HTTP), with their declarations. */
    static Map<String, ConfigDef.ConfigKey> sharedByAll() {
        return sharedBy(List.copyOf(SERVICES.keySet()));
    }

    /** Settings declared by each of {@code services}, keyed by name. */
    static Map<String, ConfigDef.ConfigKey> sharedBy(List<String> services) {
        Map<String, ConfigDef.ConfigKey> shared =
                new TreeMap<>(SERVICES.get(services.get(0)).configKeys());
        for (String service : services) {
            shared.keySet().retainAll(SERVICES.get(service).configKeys().keySet());
        }
        return shared;
    }
}

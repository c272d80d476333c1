package io.sightline.deploy;

import io.sightline.common.config.ConfigFile;
import io.sightline.common.config.ServiceConfig;
import io.sightline.common.config.Settings;
import io.sightline.configuration.ConfigurationCatalog;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What the services themselves declare: their settings (each Config class's
 * {@code DEFINITION}) and their default HTTP ports. Deployment files are checked against this.
 */
final class ServiceCatalog {

    /** The services' settings (the one catalog of them) and create-topics'. */
    static final Map<String, ConfigDef> DEFINITIONS;

    static {
        Map<String, ConfigDef> definitions = new java.util.LinkedHashMap<>(ConfigurationCatalog.SERVICES);
        definitions.put("create-topics", TopicsConfig.DEFINITION);
        DEFINITIONS = java.util.Collections.unmodifiableMap(definitions);
    }

    static final Set<String> STREAMS_APPS =
            Set.of("enrich-processor", "aggregate-processor", "anomaly-processor", "serving-api");

    static final Set<String> HTTP_SERVICES = Set.of(
            "ingest-gateway",
            "enrich-processor",
            "aggregate-processor",
            "anomaly-processor",
            "serving-api",
            "archiver",
            "schema-registry");

    private ServiceCatalog() {}

    /** Whether a Kafka client, Streams or (with the topic. prefix) topic-level property has this name. */
    static boolean isKafkaProperty(String property) {
        Set<String> client = new TreeSet<>();
        client.addAll(StreamsConfig.configDef().names());
        client.addAll(ConsumerConfig.configNames());
        client.addAll(ProducerConfig.configNames());
        client.addAll(AdminClientConfig.configNames());
        if (client.contains(property)) {
            return true;
        }
        for (String prefix : List.of(
                "main.consumer.", "restore.consumer.", "global.consumer.", "consumer.", "producer.", "admin.")) {
            if (property.startsWith(prefix) && client.contains(property.substring(prefix.length()))) {
                return true;
            }
        }
        return property.startsWith(StreamsConfig.TOPIC_PREFIX)
                && topicConfigNames().contains(property.substring(StreamsConfig.TOPIC_PREFIX.length()));
    }

    private static Set<String> topicConfigNames() {
        Set<String> names = new TreeSet<>();
        for (Field field : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && field.getName().endsWith("_CONFIG")
                    && field.getType() == String.class) {
                try {
                    names.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }

    /** The port a service listens on when SIGHTLINE_HTTP_PORT is not set. */
    static int defaultPort(String service) {
        return (Integer) DEFINITIONS.get(service).configKeys().get(ServiceConfig.HTTP_PORT_CONFIG).defaultValue;
    }

    /**
     * Problems with the environment a deployment gives {@code service}: variables that are
     * no documented setting of it (SIGHTLINE_KAFKA_* pass-through aside), and required settings missing.
     */
    static List<String> envProblems(String service, Set<String> envNames) {
        ConfigDef definition = DEFINITIONS.get(service);
        List<String> problems = new ArrayList<>();
        if (definition == null) {
            problems.add(service + " is not a Sightline service (" + DEFINITIONS.keySet() + ")");
            return problems;
        }
        Set<String> documented = new TreeSet<>();
        definition.names().forEach(n -> documented.add(Settings.envName(n)));
        // every service reads its settings from the configuration file this names, if any
        documented.add(ConfigFile.CONFIG_FILE_ENV);
        for (String name : envNames) {
            if (!name.startsWith(Settings.ENV_PREFIX) || documented.contains(name)) {
                continue;
            }
            if (name.startsWith(Settings.KAFKA_ENV_PREFIX)) {
                String property = Settings.kafkaPassThrough(Map.of(name, ""))
                        .keySet()
                        .iterator()
                        .next();
                if (!isKafkaProperty(property)) {
                    problems.add(service + ": " + name + " passes through '" + property
                            + "', which is no Kafka client or Streams property");
                }
            } else {
                problems.add(
                        service + ": " + name + " is not a setting of " + service + " (it has " + documented + ")");
            }
        }
        for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
            if (ConfigDef.NO_DEFAULT_VALUE.equals(key.defaultValue) && !envNames.contains(Settings.envName(key.name))) {
                problems.add(service + ": required setting " + Settings.envName(key.name) + " is missing");
            }
        }
        return problems;
    }
}

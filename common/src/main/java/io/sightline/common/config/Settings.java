package io.sightline.common.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/**
 * How settings reach a service: each setting {@code a.b.c} is read from the
 * environment variable {@code SIGHTLINE_A_B_C}, and every variable
 * {@code SIGHTLINE_KAFKA_X_Y} passes {@code x.y} through to the Kafka clients.
 * The prefix keeps clear of variables that orchestrators inject on their own
 * (Kubernetes sets {@code KAFKA_PORT} for a service named kafka).
 */
public final class Settings {

    public static final String ENV_PREFIX = "SIGHTLINE_";
    public static final String KAFKA_ENV_PREFIX = ENV_PREFIX + "KAFKA_";

    private Settings() {}

    /** The environment variable that sets {@code setting}. */
    public static String envName(String setting) {
        return ENV_PREFIX + setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The values of {@code definition}'s settings found in {@code env}, keyed by setting name. */
    public static Map<String, Object> fromEnv(ConfigDef definition, Map<String, String> env) {
        Map<String, Object> values = new HashMap<>();
        for (String name : definition.names()) {
            String value = env.get(envName(name));
            if (value != null) {
                values.put(name, value);
            }
        }
        return values;
    }

    /** Kafka client properties passed through as {@code SIGHTLINE_KAFKA_<PROPERTY>}. */
    public static Map<String, Object> kafkaPassThrough(Map<String, String> env) {
        Map<String, Object> props = new HashMap<>();
        env.forEach((key, value) -> {
            if (key.startsWith(KAFKA_ENV_PREFIX) && key.length() > KAFKA_ENV_PREFIX.length()) {
                props.put(
                        key.substring(KAFKA_ENV_PREFIX.length())
                                .toLowerCase(Locale.ROOT)
                                .replace('_', '.'),
                        value);
            }
        });
        return props;
    }

    /**
     * Properties for any Kafka client: {@code bootstrap.servers} plus everything passed
     * through as {@code SIGHTLINE_KAFKA_*} (security, SASL, TLS, tuning).
     */
    public static Map<String, Object> kafkaClientProperties(String bootstrapServers, Map<String, String> env) {
        Map<String, Object> props = kafkaPassThrough(env);
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }
}

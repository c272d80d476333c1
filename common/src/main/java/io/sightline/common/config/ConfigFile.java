package io.sightline.common.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * One configuration file for every service, the same on every way to run Sightline
 * ({@code bin/sightline-local --config}, a mounted file in Compose, a ConfigMap in Helm,
 * named by {@code SIGHTLINE_CONFIG_FILE}). YAML whose keys are the settings' names, flat
 * or nested ({@code tracking.plans} or {@code tracking: {plans: ...}}); lists are joined
 * with commas; {@code kafka.*} passes through to the Kafka clients as the environment
 * variables {@code SIGHTLINE_KAFKA_*} do. Read into environment-variable form, so a file
 * and the environment are one mechanism, and a variable set in the environment wins.
 *
 * <pre>{@code
 * write.keys: web-key:web,ios-key:ios
 * tracking:
 *   plans: [web=web, ios=mobile]
 *   plan.modes: "*=flag,unplanned_event=block"
 * kafka:
 *   security.protocol: SASL_SSL
 * }</pre>
 */
public final class ConfigFile {

    /** The variable naming the file, for the services started without {@code bin/sightline-local}. */
    public static final String CONFIG_FILE_ENV = Settings.ENV_PREFIX + "CONFIG_FILE";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigFile() {}

    /**
     * The file's settings as environment variables ({@code SIGHTLINE_TRACKING_PLANS=...}).
     *
     * @throws ConfigException naming the file and what is wrong with it
     */
    public static Map<String, String> read(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(
                    "Configuration file " + file + " does not exist (" + CONFIG_FILE_ENV + " or --config)");
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new ConfigException(
                    "Configuration file " + file + " is not valid YAML" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("Configuration file " + file + " cannot be read: " + e.getMessage());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return settings;
        }
        if (!root.isObject()) {
            throw new ConfigException("Configuration file " + file
                    + " must be a map of setting names to values, e.g. 'write.keys: key:source'");
        }
        flatten("", root, settings, file);
        return settings;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> settings, Path file) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(name + ".", value, settings, file);
            } else {
                String env = Settings.envName(name);
                if (settings.containsKey(env)) {
                    throw new ConfigException("Configuration file " + file + " sets " + name + " twice");
                }
                settings.put(env, text(name, value, file));
            }
        }
    }

    private static String text(String name, JsonNode value, Path file) {
        if (value.isNull()) {
            return "";
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : value) {
                if (item.isContainerNode()) {
                    throw new ConfigException(
                            "Configuration file " + file + ": " + name + " must be a value or a list of values");
                }
                items.add(item.asText());
            }
            return String.join(",", items);
        }
        return value.asText();
    }

    /**
     * A service's settings: those of the file named by {@code SIGHTLINE_CONFIG_FILE}, if
     * any, under the process's environment variables, which win.
     */
    public static Map<String, String> withEnvironment(Map<String, String> processEnv) {
        String file = processEnv.get(CONFIG_FILE_ENV);
        return file == null || file.isBlank() ? processEnv : merge(read(Path.of(file)), processEnv);
    }

    /** A file's settings under the environment's: a variable set in the environment wins. */
    public static Map<String, String> merge(Map<String, String> fileSettings, Map<String, String> env) {
        Map<String, String> merged = new LinkedHashMap<>(fileSettings);
        merged.putAll(env);
        return merged;
    }
}

package io.sightline.anomaly.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;

/**
 * One key of a detection rule, declared once in {@link RuleKeys} in the manner of
 * Flink's {@code ConfigOption}: its name, how a value is read and validated, how it is
 * written back, its default, its documentation and, for keys whose default is a service
 * setting ({@code detector.*}), that setting. Rule parsing, defaults, the written-back
 * rule, the {@code detector.*} settings and the documentation's key table all derive
 * from the declarations.
 *
 * @param <T> the value's type in {@link MetricRule}
 */
public final class RuleKey<T> {

    /** Reads and validates a key's value; {@code where} names the file and entry for the error. */
    interface Reader<T> {
        T read(JsonNode value, String where, String key);
    }

    /** Writes a value back as the rules file would have it. */
    interface Writer<T> {
        void write(ObjectNode rule, String key, T value);
    }

    /** The service setting that gives a key its default: name, type, validator, and how its value becomes the key's. */
    public record Setting(
            String name,
            ConfigDef.Type type,
            Object defaultValue,
            ConfigDef.Validator validator,
            Function<Object, Object> toKey) {}

    private final String name;
    private final Reader<T> reader;
    private final Writer<T> writer;
    private final Function<MetricRule, T> getter;
    private final T defaultValue;
    private final String allowed;
    private final String doc;
    private final Setting setting;

    RuleKey(
            String name,
            Reader<T> reader,
            Writer<T> writer,
            Function<MetricRule, T> getter,
            T defaultValue,
            String allowed,
            String doc,
            Setting setting) {
        this.name = name;
        this.reader = reader;
        this.writer = writer;
        this.getter = getter;
        this.defaultValue = defaultValue;
        this.allowed = allowed;
        this.doc = doc;
        this.setting = setting;
    }

    public String name() {
        return name;
    }

    /** The default without a setting, or the setting's default; null when the key has none (derived or entries only). */
    public Object defaultValue() {
        return setting != null ? setting.defaultValue() : defaultValue;
    }

    /** The values it takes, for the documentation and errors ("3 to 10000", "none, daily, weekly, auto"). */
    public String allowed() {
        return allowed;
    }

    public String doc() {
        return doc;
    }

    /** The service setting behind the key's default, or null. */
    public Setting setting() {
        return setting;
    }

    public T read(ObjectNode rule, String where) {
        return reader.read(rule.path(name), where, name);
    }

    void write(ObjectNode rule, T value) {
        writer.write(rule, name, value);
    }

    /** Writes the key's value in {@code rule} back into {@code node}; a null value (an unset key) is left out. */
    void copy(MetricRule rule, ObjectNode node) {
        T value = getter.apply(rule);
        if (value != null) {
            write(node, value);
        }
    }

    /** Writes the default: the setting's value when the key has a setting, else the declared default (if any). */
    @SuppressWarnings("unchecked")
    void writeDefault(ObjectNode node, Function<String, Object> settings) {
        if (setting != null) {
            write(node, (T) setting.toKey().apply(settings.apply(setting.name())));
        } else if (defaultValue != null) {
            write(node, defaultValue);
        }
    }
}

package io.sightline.aggregate.definition;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The metric definitions a processor runs, read from a YAML or JSON file (YAML is a
 * superset of JSON, so one parser reads both) and checked as a whole at start-up:
 * an error names the file, the line and the metric to fix.
 */
public record MetricDefinitions(List<MetricDefinition> metrics) {

    /** The definitions that ship with Sightline. */
    public static final String DEFAULT_RESOURCE = "default-metrics.yaml";

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    @JsonCreator
    public MetricDefinitions(@JsonProperty(value = "metrics", required = true) List<MetricDefinition> metrics) {
        if (metrics == null || metrics.isEmpty()) {
            throw new IllegalArgumentException("'metrics' must list at least one metric");
        }
        this.metrics = List.copyOf(metrics);
        Map<String, MetricDefinition> byName = new HashMap<>();
        Set<String> seriesNames = new HashSet<>();
        for (int i = 0; i < metrics.size(); i++) {
            MetricDefinition m = metrics.get(i);
            if (byName.put(m.name(), m) != null) {
                throw new IllegalArgumentException("metrics[" + i + "]: metric '" + m.name() + "' is defined twice");
            }
            for (String w : m.windows()) {
                if (!seriesNames.add(m.seriesName(w))) {
                    throw new IllegalArgumentException(
                            "metrics[" + i + "] '" + m.name() + "': window " + w + " is listed twice");
                }
            }
        }
        for (int i = 0; i < metrics.size(); i++) {
            MetricDefinition m = metrics.get(i);
            if (m.measure().type() == Measure.Type.RATIO) {
                for (String ref : List.of(m.measure().numerator(), m.measure().denominator())) {
                    MetricDefinition target = byName.get(ref);
                    if (target == null) {
                        throw new IllegalArgumentException(
                                "metrics[" + i + "] '" + m.name() + "': ratio refers to unknown metric '" + ref + "'");
                    }
                    Measure.Type t = target.measure().type();
                    if (t != Measure.Type.COUNT && !t.unique()) {
                        throw new IllegalArgumentException("metrics[" + i + "] '" + m.name() + "': ratio operand '"
                                + ref + "' must measure count, unique_users or unique_sessions, not "
                                + t.name().toLowerCase());
                    }
                }
            }
        }
    }

    public MetricDefinition get(String name) {
        return metrics.stream()
                .filter(m -> m.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no metric named " + name));
    }

    /** The shipped defaults. */
    public static MetricDefinitions defaults() {
        try (InputStream in = MetricDefinitions.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULT_RESOURCE, e);
        }
    }

    public static MetricDefinitions load(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read metric definitions file " + file + " (SIGHTLINE_METRICS_DEFINITIONS_FILE): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Parses {@code text}; {@code source} names it in errors. */
    public static MetricDefinitions parse(String text, String source) {
        try {
            return YAML.readValue(text, MetricDefinitions.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(describe(e, source, text), e);
        }
    }

    private static String describe(JsonProcessingException e, String source, String text) {
        JsonLocation at = e.getLocation();
        int line = at == null ? -1 : at.getLineNr();
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u && line > 0) {
            // Creator properties are buffered, so Jackson reports where the object ended:
            // point at the last line up to there that names the unknown key instead.
            String[] lines = text.split("\n", -1);
            for (int i = Math.min(line, lines.length) - 1; i >= 0; i--) {
                if (lines[i].matches(
                                ".*[\\s{,\"']" + java.util.regex.Pattern.quote(u.getPropertyName()) + "[\"']?\\s*:.*")
                        || lines[i].trim().startsWith(u.getPropertyName() + ":")) {
                    line = i + 1;
                    break;
                }
            }
        }
        String path = e instanceof JsonMappingException m ? m.getPathReference() : null;
        Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : null;
        String what = cause != null ? cause.getMessage() : e.getOriginalMessage();
        return "metric definitions " + source + (line < 0 ? "" : ", line " + line)
                + (path == null || path.isEmpty()
                        ? ""
                        : " (" + path.replace("io.sightline.aggregate.definition.", "") + ")")
                + ": " + what;
    }
}

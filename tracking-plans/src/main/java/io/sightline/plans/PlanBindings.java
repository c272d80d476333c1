package io.sightline.plans;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which plan each source is checked against, and what happens to each type of
 * violation: per source and type, else per source, else per type, else for all
 * ({@code *}), else {@link Mode#FLAG}.
 *
 * <p>Modes are written {@code [source:]type=mode}, with {@code *} for any type:
 * {@code *=flag, unplanned_event=block, web:additional_property=omit}.
 */
public final class PlanBindings {

    private static final String ANY_SOURCE = "";

    private final Map<String, String> plansBySource;
    /** source ("" for any) to type (null key not allowed: ANY handled separately) to mode. */
    private final Map<String, Map<ViolationType, Mode>> modes;

    private final Map<String, Mode> anyType;

    private PlanBindings(
            Map<String, String> plansBySource, Map<String, Map<ViolationType, Mode>> modes, Map<String, Mode> anyType) {
        this.plansBySource = Map.copyOf(plansBySource);
        this.modes = modes;
        this.anyType = anyType;
    }

    public static PlanBindings none() {
        return new PlanBindings(Map.of(), Map.of(), Map.of());
    }

    /**
     * @param sourcePlans entries {@code source=plan}
     * @param modeEntries entries {@code [source:]type=mode}
     * @throws IllegalArgumentException naming the entry to fix
     */
    public static PlanBindings parse(List<String> sourcePlans, List<String> modeEntries) {
        Map<String, String> plans = new HashMap<>();
        for (String entry : sourcePlans) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq <= 0 || eq == trimmed.length() - 1) {
                throw new IllegalArgumentException("'" + trimmed + "' is not source=plan");
            }
            String plan = trimmed.substring(eq + 1).trim();
            if (!TrackingPlanCompiler.NAME.matcher(plan).matches()) {
                throw new IllegalArgumentException(
                        "'" + plan + "' in '" + trimmed + "' is not a plan name: letters, digits, '_', '.', '-'");
            }
            plans.put(trimmed.substring(0, eq).trim(), plan);
        }
        Map<String, Map<ViolationType, Mode>> modes = new HashMap<>();
        Map<String, Mode> anyType = new HashMap<>();
        for (String entry : modeEntries) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + trimmed + "' is not [source:]type=mode");
            }
            Mode mode = Mode.ofCode(trimmed.substring(eq + 1).trim());
            String target = trimmed.substring(0, eq).trim();
            int colon = target.lastIndexOf(':');
            String source = colon < 0 ? ANY_SOURCE : target.substring(0, colon).trim();
            String type = colon < 0 ? target : target.substring(colon + 1).trim();
            if (type.equals("*")) {
                anyType.put(source, mode);
                continue;
            }
            ViolationType violation = ViolationType.ofCode(type);
            if (mode == Mode.OMIT
                    && (violation == ViolationType.UNPLANNED_EVENT || violation == ViolationType.REQUIRED_MISSING)) {
                throw new IllegalArgumentException(
                        "'" + trimmed + "': " + violation.code() + " has nothing to omit; use allow, flag or block");
            }
            modes.computeIfAbsent(source, s -> new EnumMap<>(ViolationType.class))
                    .put(violation, mode);
        }
        return new PlanBindings(plans, modes, anyType);
    }

    /** The plan a source is checked against, or null when it has none. */
    public String planOf(String source) {
        return plansBySource.get(source);
    }

    public Map<String, String> plansBySource() {
        return plansBySource;
    }

    /** What to do with a violation of this type from this source. {@code *=omit} falls back to flag where nothing can be omitted. */
    public Mode mode(String source, ViolationType type) {
        Mode mode = lookup(source, type);
        if (mode == Mode.OMIT && (type == ViolationType.UNPLANNED_EVENT || type == ViolationType.REQUIRED_MISSING)) {
            return Mode.FLAG;
        }
        return mode;
    }

    private Mode lookup(String source, ViolationType type) {
        Map<ViolationType, Mode> own = modes.get(source);
        if (own != null && own.containsKey(type)) {
            return own.get(type);
        }
        if (anyType.containsKey(source)) {
            return anyType.get(source);
        }
        Map<ViolationType, Mode> any = modes.get(ANY_SOURCE);
        if (any != null && any.containsKey(type)) {
            return any.get(type);
        }
        return anyType.getOrDefault(ANY_SOURCE, Mode.FLAG);
    }
}

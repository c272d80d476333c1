package io.sightline.ingest.plans;

import io.sightline.plans.Mode;
import io.sightline.plans.PlanBindings;
import io.sightline.plans.TrackingPlan;
import io.sightline.plans.Violation;
import io.sightline.plans.ViolationType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the events a new plan version would newly block: those it no longer lists
 * while a bound source blocks unplanned events, and the recent events this replica saw
 * that pass the current version and would be blocked by the new one.
 */
public final class PlanChangeCheck {

    /** One event the new version would block, with one reason. */
    public record Affected(String source, String type, String name, String reason) {}

    private final PlanBindings bindings;
    private final RecentEvents recent;

    public PlanChangeCheck(PlanBindings bindings, RecentEvents recent) {
        this.bindings = bindings;
        this.recent = recent;
    }

    public List<Affected> newlyBlocked(TrackingPlan current, TrackingPlan next) {
        Map<String, Affected> affected = new LinkedHashMap<>();
        for (Map.Entry<String, String> binding : bindings.plansBySource().entrySet()) {
            if (!binding.getValue().equals(current.name())) {
                continue;
            }
            String source = binding.getKey();
            if (bindings.mode(source, ViolationType.UNPLANNED_EVENT) == Mode.BLOCK) {
                for (String removed : current.events().keySet()) {
                    if (!next.events().containsKey(removed)) {
                        affected.putIfAbsent(
                                source + " track " + removed,
                                new Affected(
                                        source,
                                        "track",
                                        removed,
                                        "no longer in the plan, and " + source + " blocks unplanned events"));
                    }
                }
            }
            for (RecentEvents.Sample s : recent.of(current.name())) {
                if (blocking(source, current, s) == null) {
                    Violation v = blocking(source, next, s);
                    if (v != null) {
                        affected.putIfAbsent(
                                source + " " + s.type() + " " + s.name(),
                                new Affected(source, s.type().name(), s.name(), v.message()));
                    }
                }
            }
        }
        return new ArrayList<>(affected.values());
    }

    /** The first violation of a sample that the source blocks, or null when the plan lets it in. */
    private Violation blocking(String source, TrackingPlan plan, RecentEvents.Sample s) {
        for (Violation v : plan.check(s.type(), s.name(), s.properties(), s.traits())) {
            if (bindings.mode(source, v.type()) == Mode.BLOCK) {
                return v;
            }
        }
        return null;
    }
}

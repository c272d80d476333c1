package io.sightline.ingest.plans;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.plans.Mode;
import io.sightline.plans.PlanBindings;
import io.sightline.plans.TrackingPlan;
import io.sightline.plans.TrackingPlanStore;
import io.sightline.plans.Violation;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.PlanViolation;
import io.sightline.schemas.avro.QualityViolation;
import io.sightline.schemas.avro.TrackedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Checks accepted events against their source's tracking plan and applies the
 * source's mode per violation type: allow (nothing), flag (kept, violations attached),
 * omit (kept without the offending properties) or block (dead-lettered). Every event of
 * a source with a plan records the plan and version it was checked against.
 */
public final class PlanEnforcer {

    private final PlanBindings bindings;
    private final TrackingPlanStore plans;
    private final MeterRegistry meters;
    private final RecentEvents recent;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> checked = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> unchecked = new ConcurrentHashMap<>();

    public PlanEnforcer(PlanBindings bindings, TrackingPlanStore plans, RecentEvents recent, MeterRegistry meters) {
        this.bindings = bindings;
        this.plans = plans;
        this.recent = recent;
        this.meters = meters;
    }

    /**
     * Checks one event; on flag and omit the event is changed in place (violations
     * attached, properties removed), on block it is left for the caller to dead-letter.
     *
     * @param item the event as sent, whose {@code properties} and {@code traits} are checked
     */
    public PlanCheck check(String source, TrackedEvent event, JsonNode item) {
        String planName = bindings.planOf(source);
        if (planName == null) {
            return PlanCheck.conforms(false);
        }
        TrackingPlan plan = plans.latest(planName);
        if (plan == null) {
            // bound to a plan not published yet: let through, and say so
            unchecked
                    .computeIfAbsent(
                            source,
                            k -> Counter.builder("sightline.ingest.plan.unchecked")
                                    .description(
                                            "Events not checked because their source's tracking plan is not published yet, by source and plan")
                                    .tag("source", source)
                                    .tag("plan", planName)
                                    .register(meters))
                    .increment();
            return PlanCheck.conforms(false);
        }
        event.setTrackingPlan(plan.name());
        event.setTrackingPlanVersion(plan.version());
        checked.computeIfAbsent(
                        source + ' ' + plan.name(),
                        k -> Counter.builder("sightline.ingest.plan.checks")
                                .description("Events the gateway checked against a tracking plan, by source and plan")
                                .tag("source", source)
                                .tag("plan", plan.name())
                                .register(meters))
                .increment();
        String name = eventName(event);
        JsonNode properties = item.get("properties");
        JsonNode traits = item.get("traits");
        recent.remember(planName, event.getType(), name, properties, traits);
        boolean planned = plan.entry(event.getType(), name) != null;
        List<Violation> found = plan.check(event.getType(), name, properties, traits);
        if (found.isEmpty()) {
            return PlanCheck.conforms(planned);
        }
        List<Violation> kept = new ArrayList<>(found.size());
        List<Mode> modes = new ArrayList<>(found.size());
        boolean blocked = false;
        for (Violation v : found) {
            Mode mode = bindings.mode(source, v.type());
            if (mode == Mode.ALLOW) {
                continue;
            }
            kept.add(v);
            modes.add(mode);
            blocked |= mode == Mode.BLOCK;
        }
        if (kept.isEmpty()) {
            return PlanCheck.conforms(planned);
        }
        List<PlanViolation> attached = new ArrayList<>(kept.size());
        List<QualityViolation> records = new ArrayList<>(kept.size());
        JsonNode omitted = null;
        for (int i = 0; i < kept.size(); i++) {
            Violation v = kept.get(i);
            Mode action = blocked ? Mode.BLOCK : modes.get(i);
            if (action == Mode.OMIT && v.omittable() != null) {
                omitted = omit(
                        omitted != null
                                ? omitted
                                : ofTraits(event.getType()) ? traits.deepCopy() : properties.deepCopy(),
                        v.omittable());
            }
            PlanViolation pv = PlanViolation.newBuilder()
                    .setViolationType(v.type().code())
                    .setPath(v.path())
                    .setExpected(v.expected())
                    .setActual(v.actual())
                    .setMessage(v.message())
                    .setAction(action.code())
                    .build();
            attached.add(pv);
            records.add(QualityViolation.newBuilder()
                    .setSource(source)
                    .setMessageId(event.getMessageId())
                    .setEventType(event.getType())
                    .setEventName(name)
                    .setTrackingPlan(plan.name())
                    .setTrackingPlanVersion(plan.version())
                    .setViolation(pv)
                    .setFirstOfEvent(i == 0)
                    .setReceivedAt(event.getReceivedAt())
                    .build());
            count(source, v.type().code(), action.code());
        }
        if (!blocked) {
            event.setPlanViolations(attached);
            if (omitted != null) {
                if (ofTraits(event.getType())) {
                    event.setTraits(omitted.toString());
                } else {
                    event.setProperties(omitted.toString());
                }
            }
        }
        return new PlanCheck(blocked, kept, records, planned);
    }

    /** The name a plan lists an event under: the track event's name, the page's or screen's name. */
    public static String eventName(TrackedEvent event) {
        return event.getType() == EventType.track ? event.getEvent() : event.getName();
    }

    private static boolean ofTraits(EventType type) {
        return type == EventType.identify || type == EventType.group;
    }

    /** Removes the member a pointer names; an array element becomes null, so the other elements keep their places. */
    private static JsonNode omit(JsonNode root, JsonPointer pointer) {
        JsonNode parent = root.at(pointer.head());
        String last = pointer.last().getMatchingProperty();
        if (parent instanceof ObjectNode object) {
            object.remove(last);
        } else if (parent instanceof ArrayNode array
                && pointer.last().getMatchingIndex() >= 0
                && pointer.last().getMatchingIndex() < array.size()) {
            array.set(pointer.last().getMatchingIndex(), (JsonNode) null);
        }
        return root;
    }

    private void count(String source, String type, String action) {
        counters.computeIfAbsent(
                        source + ' ' + type + ' ' + action,
                        k -> Counter.builder("sightline.ingest.plan.violations")
                                .description(
                                        "Tracking-plan violations found by the gateway, by source, violation type and action taken")
                                .tag("source", source)
                                .tag("type", type)
                                .tag("action", action)
                                .register(meters))
                .increment();
    }
}

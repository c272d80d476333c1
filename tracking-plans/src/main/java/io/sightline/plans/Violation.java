package io.sightline.plans;

import com.fasterxml.jackson.core.JsonPointer;

/**
 * One departure of an event from its plan.
 *
 * @param path     where in the event: {@code properties.total}, {@code traits.email}, or {@code event} for an unplanned event
 * @param expected what the plan asks for
 * @param actual   what came
 * @param omittable the member of the properties (or traits) object that omit mode removes; null when nothing can be removed
 */
public record Violation(ViolationType type, String path, String expected, String actual, JsonPointer omittable) {

    /** The sentence a producer can act on, e.g. {@code properties.total: expected number, got string "9.99"}. */
    public String message() {
        return switch (type) {
            case UNPLANNED_EVENT ->
                path + ": " + actual + " is not in tracking plan " + expected + "; add it to the plan or fix the name";
            case REQUIRED_MISSING -> path + ": required by the plan, missing";
            case ADDITIONAL_PROPERTY ->
                path + ": not in the plan, which allows no other properties here (got " + actual + ")";
            default -> path + ": expected " + expected + ", got " + actual;
        };
    }
}

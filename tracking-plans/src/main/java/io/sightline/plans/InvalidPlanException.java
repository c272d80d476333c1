package io.sightline.plans;

import java.util.List;

/** A plan document that cannot be used, with every problem found and where. */
public final class InvalidPlanException extends RuntimeException {

    /** One problem: the path in the document (e.g. {@code events.Order Completed.properties.type}) and what is wrong. */
    public record Problem(String path, String message) {}

    private final List<Problem> problems;

    public InvalidPlanException(List<Problem> problems) {
        super(
                problems.isEmpty()
                        ? "invalid plan"
                        : problems.get(0).path() + ": " + problems.get(0).message()
                                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}

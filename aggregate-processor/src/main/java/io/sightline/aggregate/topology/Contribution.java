package io.sightline.aggregate.topology;

/**
 * What one event adds to one series, in every window size of its metric at once.
 * {@code time} places it in its windows: the event time, or for a funnel the time of
 * the user's step one. {@code role} says which part of a ratio it feeds;
 * {@code member} is the user or session for unique counts; {@code number} the
 * measured property; {@code step} the funnel step reached (1-based); {@code source}
 * the event's source, so the aggregator can count a contribution too late for its
 * window under it.
 */
public record Contribution(int metric, long time, byte role, String member, double number, int step, String source) {

    public static final byte MAIN = 0;
    public static final byte NUMERATOR = 1;
    public static final byte DENOMINATOR = 2;
}

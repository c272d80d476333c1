package io.sightline.anomaly.rules;

/** Which deviations alert: only rises, only falls, or both. */
public enum Direction {
    UP,
    DOWN,
    BOTH;

    /** The score as seen from this direction: positive when it points the way that alerts. */
    public double directed(double score) {
        return switch (this) {
            case UP -> score;
            case DOWN -> -score;
            case BOTH -> Math.abs(score);
        };
    }
}

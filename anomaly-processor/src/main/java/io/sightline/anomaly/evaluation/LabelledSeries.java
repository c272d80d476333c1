package io.sightline.anomaly.evaluation;

import java.util.List;

/**
 * One series of a labelled corpus: its rows' times and values, and its anomaly windows
 * as inclusive row ranges.
 *
 * @param name     the path under the corpus's data directory, e.g. {@code realKnownCause/nyc_taxi.csv}
 * @param category the directory it sits in, e.g. {@code realKnownCause}
 */
public record LabelledSeries(String name, String category, long[] timestamps, double[] values, List<Window> windows) {

    /** An anomaly window: the first and the last row it covers. */
    public record Window(int first, int last) {}

    public int size() {
        return timestamps.length;
    }
}

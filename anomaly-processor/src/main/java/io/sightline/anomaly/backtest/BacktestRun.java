package io.sightline.anomaly.backtest;

import io.sightline.anomaly.detection.ScoredWindow;
import io.sightline.anomaly.detection.SeriesEngine;
import io.sightline.anomaly.detection.Transition;
import io.sightline.anomaly.rules.MetricRule;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.SeriesHistory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a rule over a series exactly as the stream would: each row is one window's
 * final value, sent as one update, with the same engine and state as the processor.
 * A row's anomaly score is that of its complete evaluation (the live one for the last row).
 */
public final class BacktestRun {

    private BacktestRun() {}

    /** A firing (not a re-notification) or resolution, at the row of the window it judged. */
    public record Detection(int row, Transition transition) {}

    public record Result(List<Detection> detections, double[] scores, Metrics metrics) {}

    /**
     * Label metrics. An event is a run of consecutive labelled rows; a firing within
     * an event or up to {@code tolerance} rows after its end detects it.
     */
    public record Metrics(int events, int detectedEvents, int firings, int truePositiveFirings, double meanDelayRows) {

        public double precision() {
            return firings == 0 ? 1.0 : (double) truePositiveFirings / firings;
        }

        public double recall() {
            return events == 0 ? 1.0 : (double) detectedEvents / events;
        }

        public double f1() {
            double p = precision();
            double r = recall();
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }
    }

    public static Result run(MetricRule rule, List<Row> rows, long windowMillis, int tolerance) {
        SeriesEngine engine = new SeriesEngine(rule);
        SeriesHistory h = SeriesEngine.newHistory();
        Map<Long, Integer> rowOf = new HashMap<>();
        double[] scores = new double[rows.size()];
        List<Detection> detections = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            rowOf.put(row.timestamp(), i);
            SeriesEngine.Result r = engine.update(h, row.timestamp(), windowMillis, row.value());
            for (ScoredWindow s : r.scored()) {
                Integer at = rowOf.get(s.windowStart());
                if (at != null && (s.complete() || at == rows.size() - 1)) {
                    scores[at] = s.anomalyScore();
                }
            }
            for (Transition t : r.transitions()) {
                if (!t.renotification()) {
                    detections.add(new Detection(rowOf.getOrDefault(t.windowStart(), i), t));
                }
            }
        }
        return new Result(detections, scores, metrics(rows, detections, tolerance));
    }

    static Metrics metrics(List<Row> rows, List<Detection> detections, int tolerance) {
        if (rows.stream().noneMatch(r -> r.label() != null)) {
            return null;
        }
        List<int[]> events = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (Boolean.TRUE.equals(rows.get(i).label())
                    && (i == 0 || !Boolean.TRUE.equals(rows.get(i - 1).label()))) {
                int end = i;
                while (end + 1 < rows.size()
                        && Boolean.TRUE.equals(rows.get(end + 1).label())) {
                    end++;
                }
                events.add(new int[] {i, end});
            }
        }
        int firings = 0;
        int truePositives = 0;
        Map<Integer, Integer> firstDetection = new HashMap<>();
        for (Detection d : detections) {
            if (d.transition().status() != AlertStatus.firing) {
                continue;
            }
            firings++;
            boolean hit = false;
            for (int e = 0; e < events.size(); e++) {
                int[] ev = events.get(e);
                if (d.row() >= ev[0] && d.row() <= ev[1] + tolerance) {
                    hit = true;
                    firstDetection.merge(e, d.row(), Math::min);
                }
            }
            if (hit) {
                truePositives++;
            }
        }
        double delay = firstDetection.entrySet().stream()
                .mapToInt(e -> Math.max(0, e.getValue() - events.get(e.getKey())[0]))
                .average()
                .orElse(Double.NaN);
        return new Metrics(events.size(), firstDetection.size(), firings, truePositives, delay);
    }
}

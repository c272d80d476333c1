package io.sightline.anomaly.topology;

import io.sightline.anomaly.alerting.AlertFactory;
import io.sightline.anomaly.detection.Evaluation;
import io.sightline.anomaly.detection.RobustZScoreDetector;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AlertStatus;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.SeriesHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps each series' recent window values (bounded by the history size) and scores
 * updates as they arrive. A spike fires while its window is still filling; a drop is
 * judged only once a window is complete, since a window that just opened always looks
 * low. An alert resolves only when a complete window is back within the (lower)
 * resolve threshold. Emits alert changes only, keyed by fingerprint.
 */
final class SeriesDetector implements Processor<String, MetricWindow, String, Alert> {

    private final RobustZScoreDetector detector;
    private final String storeName;
    private KeyValueStore<String, SeriesHistory> store;
    private ProcessorContext<String, Alert> context;

    SeriesDetector(RobustZScoreDetector detector, String storeName) {
        this.detector = detector;
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, MetricWindow> record) {
        MetricWindow window = record.value();
        if (window == null) {
            return;
        }
        SeriesHistory history = store.get(record.key());
        if (history == null) {
            history = SeriesHistory.newBuilder().build();
        }
        List<Long> starts = new ArrayList<>(history.getWindowStarts());
        List<Double> values = new ArrayList<>(history.getValues());
        long start = window.getWindowStart().toEpochMilli();
        long size = window.getWindowEnd().toEpochMilli() - start;
        SeriesKey series = SeriesKey.parse(record.key());

        if (starts.isEmpty() || start > starts.get(starts.size() - 1)) {
            if (!starts.isEmpty()) {
                // Windows without events never produce an update: they count as zero
                // (only the most recent ones matter to the baseline).
                long last = starts.get(starts.size() - 1);
                long firstMissing = Math.max(last + size, start - (long) detector.settings().historyWindows() * size);
                for (long missing = firstMissing; missing < start; missing += size) {
                    starts.add(missing);
                    values.add(0.0);
                }
                // The window before this one is now complete: judge it in both directions.
                judgeComplete(series, starts, values, size, history);
            }
            starts.add(start);
            values.add(window.getValue());
        } else {
            int at = starts.indexOf(start);
            if (at < 0) {
                return; // older than the history kept: too late to matter
            }
            values.set(at, window.getValue());
            if (at != starts.size() - 1) {
                store.put(record.key(), trimmed(starts, values, history.getFiringSince()));
                return;
            }
        }

        SeriesHistory updated = trimmed(starts, values, history.getFiringSince());
        if (updated.getFiringSince() == null && values.size() - 1 >= detector.settings().minHistory()) {
            Evaluation live = evaluateLast(updated.getValues());
            if (live.score() > 0 && detector.shouldFire(live)) {
                updated.setFiringSince(start);
                forward(series, AlertStatus.firing, live, start, start, null);
            }
        }
        store.put(record.key(), updated);
    }

    private void judgeComplete(SeriesKey series, List<Long> starts, List<Double> values, long size, SeriesHistory history) {
        if (values.size() - 1 < detector.settings().minHistory()) {
            return;
        }
        long completeStart = starts.get(starts.size() - 1);
        Evaluation e = evaluateLast(values);
        if (history.getFiringSince() == null && detector.shouldFire(e)) {
            history.setFiringSince(completeStart);
            forward(series, AlertStatus.firing, e, completeStart, completeStart, null);
        } else if (history.getFiringSince() != null && detector.shouldResolve(e)) {
            forward(series, AlertStatus.resolved, e, completeStart, history.getFiringSince(), completeStart + size);
            history.setFiringSince(null);
        }
    }

    private Evaluation evaluateLast(List<Double> values) {
        double[] past = new double[values.size() - 1];
        for (int i = 0; i < past.length; i++) {
            past[i] = values.get(i);
        }
        return detector.evaluate(past, values.get(values.size() - 1));
    }

    private SeriesHistory trimmed(List<Long> starts, List<Double> values, Long firingSince) {
        int keep = detector.settings().historyWindows() + 1;
        int from = Math.max(0, starts.size() - keep);
        return SeriesHistory.newBuilder()
                .setWindowStarts(new ArrayList<>(starts.subList(from, starts.size())))
                .setValues(new ArrayList<>(values.subList(from, values.size())))
                .setFiringSince(firingSince)
                .build();
    }

    private void forward(SeriesKey series, AlertStatus status, Evaluation e, long windowStart, long startsAt, Long endsAt) {
        Alert alert = AlertFactory.build(RobustZScoreDetector.NAME, series, status, e, detector.settings().threshold(),
                Instant.ofEpochMilli(windowStart), Instant.ofEpochMilli(startsAt), endsAt == null ? null : Instant.ofEpochMilli(endsAt));
        context.forward(new Record<>(alert.getFingerprint(), alert, windowStart));
    }
}

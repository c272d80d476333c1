package io.sightline.enrich.dedup;

import io.sightline.schemas.avro.TrackedEvent;
import java.time.Duration;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Exact dedup and event-time sanity, on the raw topic's own partitions. An event
 * whose corrected timestamp is further ahead of its receive time than the tolerance (a
 * client with a fast clock) is clamped to its receive time and marked
 * {@code timeCorrection: future_clamped}, counted in {@code events-time-clamped-total}:
 * kept, but never placed in a window no one else has reached. An event further behind
 * than the maximum past is rejected. Accepted events leave with their (corrected)
 * event time as record timestamp.
 *
 * <p>Dedup: a client's
 * retry of an event carries the same key, so it lands on the same partition and meets
 * the messageId remembered there. The remembered ids live in a windowed store with a
 * changelog, so dedup holds across restarts and rebalances.
 *
 * <p>The dedup clock is the gateway's receive time, not the event time: a retried
 * event keeps its event time, so only the receive time tells how far apart two
 * copies arrived. A duplicate is not passed on: it is counted in the
 * {@code duplicates-dropped-total} Streams metric and forwarded as
 * {@link Checked#duplicate} with its receive time as timestamp, so the topology can
 * count it per minute of arrival into the {@code duplicate_events} series (a retry
 * keeps its old event time, which would fall behind any counting window). Rejects are
 * counted in {@code events-rejected-total}.
 */
public final class DedupProcessor implements FixedKeyProcessor<String, TrackedEvent, Checked> {

    public static final String METRIC_GROUP = "sightline-enrich";
    public static final String DUPLICATES_SENSOR = "duplicates-dropped";
    public static final String REJECTED_SENSOR = "events-rejected";
    public static final String CLAMPED_SENSOR = "events-time-clamped";
    public static final String FUTURE_CLAMPED = "future_clamped";

    private final String storeName;
    private final Duration window;
    private final Duration futureTolerance;
    private final Duration maxPast;
    private FixedKeyProcessorContext<String, Checked> context;
    private WindowStore<String, Long> seen;
    private Sensor duplicates;
    private Sensor rejected;
    private Sensor clamped;

    public DedupProcessor(String storeName, Duration window, Duration futureTolerance, Duration maxPast) {
        this.storeName = storeName;
        this.window = window;
        this.futureTolerance = futureTolerance;
        this.maxPast = maxPast;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Checked> context) {
        this.context = context;
        this.seen = context.getStateStore(storeName);
        this.duplicates = context.metrics()
                .addRateTotalSensor(
                        METRIC_GROUP, context.taskId().toString(), DUPLICATES_SENSOR, Sensor.RecordingLevel.INFO);
        this.rejected = context.metrics()
                .addRateTotalSensor(
                        METRIC_GROUP, context.taskId().toString(), REJECTED_SENSOR, Sensor.RecordingLevel.INFO);
        this.clamped = context.metrics()
                .addRateTotalSensor(
                        METRIC_GROUP, context.taskId().toString(), CLAMPED_SENSOR, Sensor.RecordingLevel.INFO);
    }

    @Override
    public void process(FixedKeyRecord<String, TrackedEvent> record) {
        TrackedEvent event = record.value();
        if (event == null) {
            return;
        }
        long received = event.getReceivedAt().toEpochMilli();
        long time = event.getTimestamp().toEpochMilli();
        if (time - received > futureTolerance.toMillis()) {
            event.setTimestamp(event.getReceivedAt());
            event.setTimeCorrection(FUTURE_CLAMPED);
            clamped.record();
            time = received;
        }
        if (received - time > maxPast.toMillis()) {
            reject(
                    record,
                    "event_time_too_old",
                    "timestamp is " + Duration.ofMillis(received - time) + " behind receivedAt; at most " + maxPast
                            + " is accepted");
            return;
        }
        String id = event.getSource() + "/" + event.getMessageId();
        try (WindowStoreIterator<Long> earlier =
                seen.fetch(id, received - window.toMillis() + 1, received + window.toMillis() - 1)) {
            if (earlier.hasNext()) {
                duplicates.record();
                context.forward(record.withValue(Checked.duplicate(event)));
                return;
            }
        }
        seen.put(id, received, received);
        context.forward(record.withValue(Checked.accepted(event)).withTimestamp(time));
    }

    /** A reject travels with its receive time as timestamp, the one it was read with. */
    private void reject(FixedKeyRecord<String, TrackedEvent> record, String code, String text) {
        context.forward(record.withValue(rejection(record.value(), code, text)));
    }

    private Checked rejection(TrackedEvent event, String code, String text) {
        rejected.record();
        return Checked.rejected(event, code, text, context.recordMetadata().orElse(null));
    }
}

package io.sightline.aggregate.topology;

import io.sightline.common.streams.DeadLetters;
import io.sightline.schemas.Topic;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EnrichedEvent;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Finds the events that arrive later than the lateness horizon of every window they
 * could count in, and forwards a dead letter for each ({@code event_time_too_late}),
 * so an event that counts nowhere is rejected visibly, not dropped. Judged on the same
 * stream time (receive time) as the aggregator, which still counts each of its
 * contributions under {@code late_events}.
 */
final class TooLateCheck implements FixedKeyProcessor<String, EnrichedEvent, DeadLetter> {

    static final String REASON = "event_time_too_late";

    private final WindowDeadlines deadlines;
    private final Topic<String, EnrichedEvent> input;
    private final String component;
    private FixedKeyProcessorContext<String, DeadLetter> context;

    TooLateCheck(WindowDeadlines deadlines, Topic<String, EnrichedEvent> input, String component) {
        this.deadlines = deadlines;
        this.input = input;
        this.component = component;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, DeadLetter> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, EnrichedEvent> record) {
        EnrichedEvent enriched = record.value();
        if (enriched == null) {
            return;
        }
        long time = enriched.getEvent().getTimestamp().toEpochMilli();
        long lastTakenAt = deadlines.lastTakenAt(time);
        long streamTime = context.currentStreamTimeMs();
        if (lastTakenAt > streamTime) {
            return;
        }
        String text = "timestamp " + Instant.ofEpochMilli(time)
                + " is too late for every window it counts in: the last took events until "
                + Instant.ofEpochMilli(lastTakenAt) + " (receive time), and it arrived at "
                + Instant.ofEpochMilli(streamTime)
                + " (" + Duration.ofMillis(streamTime - time)
                + " after it happened); see SIGHTLINE_WINDOW_LATENESS_HORIZONS";
        byte[] payload = input.valueSerde().serializer().serialize(input.name(), enriched);
        context.forward(record.withValue(DeadLetters.of(
                component,
                REASON,
                text,
                enriched.getEvent().getSource(),
                enriched.getEvent().getMessageId(),
                payload,
                context.recordMetadata().orElse(null))));
    }
}

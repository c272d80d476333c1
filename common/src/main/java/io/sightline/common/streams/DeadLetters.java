package io.sightline.common.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.schemas.Topic;
import io.sightline.schemas.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The one way a dead letter is made and counted, at every stage: the gateway's
 * rejections, a processor's rejections on purpose (a business rule) and the records a
 * Streams app cannot read, process or write ({@link DeadLetterHandler}). A dead letter
 * carries the stage, the reason, the event's source and id when known, its bytes and
 * where it was read (topic, partition, offset; null when read from HTTP), so it can be
 * found, understood and replayed. Every one is counted once in {@value #METRIC}, tagged
 * by stage and reason.
 */
public final class DeadLetters {

    /** Dead letters written, by {@code stage} and {@code reason}: {@code sightline_pipeline_dead_letters_total}. */
    public static final String METRIC = "sightline.pipeline.dead.letters";

    private DeadLetters() {}

    /** A dead letter for an event read from a topic at {@code readFrom} (null when unknown). */
    public static DeadLetter of(
            String stage,
            String reasonCode,
            String reasonText,
            String source,
            String messageId,
            byte[] payload,
            RecordMetadata readFrom) {
        return readFrom == null
                ? of(stage, reasonCode, reasonText, source, messageId, payload, null, null, null)
                : of(
                        stage,
                        reasonCode,
                        reasonText,
                        source,
                        messageId,
                        payload,
                        readFrom.topic(),
                        readFrom.partition(),
                        readFrom.offset());
    }

    /** A dead letter with its input coordinates given one by one (each may be null). */
    public static DeadLetter of(
            String stage,
            String reasonCode,
            String reasonText,
            String source,
            String messageId,
            byte[] payload,
            String inputTopic,
            Integer inputPartition,
            Long inputOffset) {
        return DeadLetter.newBuilder()
                .setReasonCode(reasonCode)
                .setReasonText(reasonText)
                .setComponent(stage)
                .setSource(source)
                .setMessageId(messageId)
                .setPayload(ByteBuffer.wrap(payload == null ? new byte[0] : payload))
                .setInputTopic(inputTopic)
                .setInputPartition(inputPartition)
                .setInputOffset(inputOffset)
                .setTime(Instant.now())
                .build();
    }

    /** Counts a dead letter that was written. */
    public static void count(MeterRegistry registry, DeadLetter letter) {
        Counter.builder(METRIC)
                .description("Records written to the dead-letter topic, by stage and reason")
                .tag("stage", letter.getComponent())
                .tag("reason", letter.getReasonCode())
                .register(registry)
                .increment();
    }

    /**
     * Writes a topology's dead letters to the dead-letter topic, counting each on the
     * app's registry ({@link DeadLetterHandler#METER_REGISTRY_CONFIG}; none in topology
     * tests that do not set it).
     */
    public static void sendTo(KStream<String, DeadLetter> letters, Topic<String, DeadLetter> invalid, String name) {
        letters.processValues(Counting::new, Named.as(name + "-counted"))
                .to(
                        invalid.name(),
                        Produced.with(invalid.keySerde(), invalid.valueSerde()).withName(name));
    }

    private static final class Counting implements FixedKeyProcessor<String, DeadLetter, DeadLetter> {

        private FixedKeyProcessorContext<String, DeadLetter> context;
        private MeterRegistry registry;

        @Override
        public void init(FixedKeyProcessorContext<String, DeadLetter> context) {
            this.context = context;
            registry = context.appConfigs().get(DeadLetterHandler.METER_REGISTRY_CONFIG) instanceof MeterRegistry r
                    ? r
                    : null;
        }

        @Override
        public void process(FixedKeyRecord<String, DeadLetter> record) {
            if (registry != null && record.value() != null) {
                count(registry, record.value());
            }
            context.forward(record);
        }
    }
}

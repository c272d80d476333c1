package io.sightline.common.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that a Streams app cannot read, process or write to the dead-letter
 * topic as an Avro {@link DeadLetter} (original bytes, reason, component, input
 * coordinates) and lets the app go on: a poison record never stops a stream. Uses
 * KIP-1034's dead-letter records, so the write is part of the app's transaction.
 * Logs coordinates, never payloads; counts every dead letter (see {@link DeadLetters}).
 *
 * <p>A write that fails for a reason other than the record itself (a broker error)
 * still fails the task, so no good record is dropped.
 */
public class DeadLetterHandler
        implements DeserializationExceptionHandler, ProcessingExceptionHandler, ProductionExceptionHandler {

    /** Name of the component that shows in {@link DeadLetter#getComponent()}. */
    public static final String COMPONENT_CONFIG = "sightline.dead.letter.component";
    /** A {@code Serializer<DeadLetter>} instance (passed as an object in the Streams properties). */
    public static final String SERIALIZER_CONFIG = "sightline.dead.letter.serializer";
    /** A Micrometer {@code MeterRegistry} instance for the dead-letter counter; optional. */
    public static final String METER_REGISTRY_CONFIG = "sightline.meter.registry";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);

    private String component;
    private Serializer<DeadLetter> serializer;
    private MeterRegistry meterRegistry;

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        component = String.valueOf(configs.containsKey(COMPONENT_CONFIG) ? configs.get(COMPONENT_CONFIG) : "unknown");
        Object s = configs.get(SERIALIZER_CONFIG);
        if (!(s instanceof Serializer<?>)) {
            throw new IllegalArgumentException(SERIALIZER_CONFIG + " must hold a Serializer<DeadLetter> instance");
        }
        serializer = (Serializer<DeadLetter>) s;
        meterRegistry = configs.get(METER_REGISTRY_CONFIG) instanceof MeterRegistry r ? r : null;
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(
            ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        return DeserializationExceptionHandler.Response.resume(deadLetter(
                context,
                "deserialization_failed",
                "Cannot deserialize the record value: " + exception.getMessage(),
                record.key(),
                record.value(),
                exception));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(
            ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        return ProcessingExceptionHandler.Response.resume(deadLetter(
                context,
                "processing_failed",
                "Processor " + context.processorNodeId() + " failed: " + exception,
                context.sourceRawKey(),
                context.sourceRawValue(),
                exception));
    }

    @Override
    public ProductionExceptionHandler.Response handleError(
            ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RecordTooLargeException || exception instanceof RecordBatchTooLargeException) {
            return ProductionExceptionHandler.Response.resume(deadLetter(
                    context,
                    "record_too_large",
                    "Output record for topic " + record.topic() + " is larger than the broker accepts: "
                            + exception.getMessage(),
                    context.sourceRawKey(),
                    context.sourceRawValue(),
                    exception));
        }
        return ProductionExceptionHandler.Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ProductionExceptionHandler.Response handleSerializationError(
            ErrorHandlerContext context,
            ProducerRecord record,
            Exception exception,
            SerializationExceptionOrigin origin) {
        return ProductionExceptionHandler.Response.resume(deadLetter(
                context,
                "serialization_failed",
                "Cannot serialize the output " + origin.name().toLowerCase() + " for topic " + record.topic() + ": "
                        + exception.getMessage(),
                context.sourceRawKey(),
                context.sourceRawValue(),
                exception));
    }

    private List<ProducerRecord<byte[], byte[]>> deadLetter(
            ErrorHandlerContext context,
            String reasonCode,
            String reasonText,
            byte[] key,
            byte[] value,
            Exception exception) {
        log.warn(
                "{}: record at {}-{}@{} sent to {} ({}: {})",
                component,
                context.topic(),
                context.partition(),
                context.offset(),
                Topics.EVENTS_INVALID,
                reasonCode,
                exception.getClass().getSimpleName());
        DeadLetter letter = DeadLetters.of(
                component,
                reasonCode,
                reasonText,
                null,
                null,
                value,
                context.topic(),
                context.partition(),
                context.offset());
        if (meterRegistry != null) {
            DeadLetters.count(meterRegistry, letter);
        }
        byte[] bytes = serializer.serialize(Topics.EVENTS_INVALID, letter);
        return List.of(new ProducerRecord<>(Topics.EVENTS_INVALID, null, key, bytes));
    }
}

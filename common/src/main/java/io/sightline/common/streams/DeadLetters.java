package io.sightline.common.streams;

import io.sightline.schemas.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Dead letters for events a processor rejects on purpose (a business rule, not a
 * failure): the reason, the component, the event's source and id, its bytes and
 * where it was read ({@code readFrom}, null when unknown), so it can be found,
 * understood and replayed.
 */
public final class DeadLetters {

    private DeadLetters() {
    }

    public static DeadLetter rejected(String component, String reasonCode, String reasonText, String source, String messageId,
                                      byte[] payload, RecordMetadata readFrom) {
        return DeadLetter.newBuilder()
                .setReasonCode(reasonCode)
                .setReasonText(reasonText)
                .setComponent(component)
                .setSource(source)
                .setMessageId(messageId)
                .setPayload(ByteBuffer.wrap(payload))
                .setInputTopic(readFrom == null ? null : readFrom.topic())
                .setInputPartition(readFrom == null ? null : readFrom.partition())
                .setInputOffset(readFrom == null ? null : readFrom.offset())
                .setTime(Instant.now())
                .build();
    }
}

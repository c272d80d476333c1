package io.sightline.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.schemas.avro.EventContext;
import io.sightline.schemas.avro.EventType;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.avro.UserProfile;
import io.sightline.schemas.registry.InMemorySchemaRegistryClient;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final AvroSerde<UserProfile> serde = new AvroSerde<>(registry, UserProfile.class);

    @Test
    void shouldWriteConfluentWireFormatByteForByte() {
        UserProfile profile = UserProfile.newBuilder()
                .setUserKey("u1")
                .setTraits("{}")
                .setUpdatedAt(Instant.ofEpochMilli(1000))
                .build();

        byte[] bytes = serde.serializer().serialize("users.profile.v1", profile);

        // magic 0 | schema id 1 (big-endian) | "u1" (zigzag len 2 = 0x04) | "{}" | 1000 ms (zigzag 2000 = 0xD0 0x0F)
        assertThat(bytes).containsExactly(0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 'u', '1', 0x04, '{', '}', 0xD0, 0x0F);
        assertThat(registry.latest("users.profile.v1-value"))
                .get()
                .extracting(r -> r.id())
                .isEqualTo(1);
    }

    @Test
    void shouldReadBackANestedRecordWithLogicalTypes() {
        AvroSerde<TrackedEvent> events = new AvroSerde<>(registry, TrackedEvent.class);
        TrackedEvent event = TrackedEvent.newBuilder()
                .setMessageId("m-1")
                .setType(EventType.track)
                .setSource("web")
                .setEvent("Signed Up")
                .setUserId("u1")
                .setReceivedAt(Instant.ofEpochMilli(1_700_000_000_123L))
                .setTimestamp(Instant.ofEpochMilli(1_700_000_000_000L))
                .setProperties("{\"plan\":\"pro\"}")
                .setContext(EventContext.newBuilder()
                        .setIp("10.0.0.1")
                        .setUserAgent("curl/8")
                        .build())
                .build();

        TrackedEvent read = events.deserializer()
                .deserialize("events.raw.v1", events.serializer().serialize("events.raw.v1", event));

        assertThat(read).isEqualTo(event);
        assertThat(read.getReceivedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
    }

    @Test
    void shouldNameTheMagicByteWhenItIsWrong() {
        byte[] notAvro = "{\"json\":true}".getBytes();

        assertThatThrownBy(() -> serde.deserializer().deserialize("users.profile.v1", notAvro))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Unknown magic byte 0x7b")
                .hasMessageContaining("users.profile.v1");
    }

    @Test
    void shouldNameTheSchemaIdWhenTheRegistryDoesNotKnowIt() {
        byte[] unknownId = {0, 0, 0, 0x30, 0x39, 0x04, 'u', '1'};

        assertThatThrownBy(() -> serde.deserializer().deserialize("users.profile.v1", unknownId))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id 12345")
                .hasMessageContaining("does not know");
    }

    @Test
    void shouldRejectARecordShorterThanTheHeader() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {0, 0}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("fewer than the 5-byte");
    }

    @Test
    void shouldPassNullsThroughForTombstones() {
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }
}

package io.sightline.schemas.serde;

import io.sightline.schemas.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro specific records in the Confluent wire format, registering the record's
 * schema under {@code <topic>-value} on first use (the id is cached per topic).
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private final SchemaRegistryClient registry;
    private final ConcurrentMap<String, Integer> idsByTopic = new ConcurrentHashMap<>();
    private final ConcurrentMap<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();

    public AvroSerializer(SchemaRegistryClient registry) {
        SightlineClassTrust.ensure();
        this.registry = registry;
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        int id =
                idsByTopic.computeIfAbsent(topic, t -> registry.register(SchemaRegistryClient.valueSubject(t), schema));
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(WireFormat.MAGIC_BYTE);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writers.computeIfAbsent(schema, s -> new SpecificDatumWriter<>(s, SpecificData.getForSchema(s)))
                    .write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "Cannot write " + schema.getFullName() + " to topic " + topic + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }
}

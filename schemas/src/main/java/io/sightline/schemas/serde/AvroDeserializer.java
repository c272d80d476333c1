package io.sightline.schemas.serde;

import io.sightline.schemas.registry.SchemaRegistryClient;
import io.sightline.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format into a specific record class, resolving the
 * writer's schema (fetched once per id) against the reader's, so records written with
 * an older compatible schema still read.
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final ConcurrentMap<Integer, SpecificDatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();

    public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        SightlineClassTrust.ensure();
        this.registry = registry;
        this.readerSchema = SpecificData.get().getSchema(type);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < WireFormat.HEADER_SIZE) {
            throw new SerializationException(
                    "Record on topic " + topic + " has " + data.length
                            + " bytes, fewer than the 5-byte Confluent wire-format header; it was not written by an Avro schema-registry serializer");
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        byte magic = buffer.get();
        if (magic != WireFormat.MAGIC_BYTE) {
            throw new SerializationException(String.format(
                    "Unknown magic byte 0x%02x in record on topic %s; expected 0x00 (Confluent wire format): the producer did not use an Avro schema-registry serializer",
                    magic, topic));
        }
        int id = buffer.getInt();
        SpecificDatumReader<T> reader = readerFor(id, topic);
        try {
            BinaryDecoder decoder = DecoderFactory.get()
                    .binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "Cannot read record on topic " + topic + " written with schema id " + id + " as "
                            + readerSchema.getFullName() + ": " + e,
                    e);
        }
    }

    private SpecificDatumReader<T> readerFor(int id, String topic) {
        SpecificDatumReader<T> reader = readersByWriterId.get(id);
        if (reader != null) {
            return reader;
        }
        Schema writer;
        try {
            writer = registry.getById(id);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                throw new SerializationException(
                        "Record on topic " + topic + " names schema id " + id
                                + ", which the schema registry does not know; was it written against another registry?",
                        e);
            }
            throw new SerializationException(
                    "Cannot fetch schema id " + id + " for a record on topic " + topic + ": " + e.getMessage(), e);
        }
        // The generated class's own SpecificData, so logical types (timestamps) read as their Java types.
        reader = new SpecificDatumReader<>(writer, readerSchema, SpecificData.getForSchema(readerSchema));
        readersByWriterId.putIfAbsent(id, reader);
        return reader;
    }
}

package io.sightline.schemas.serde;

/**
 * The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian
 * integer, then the Avro binary encoding of the record.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}
}

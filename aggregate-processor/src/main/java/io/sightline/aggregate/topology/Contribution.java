package io.sightline.aggregate.topology;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What one event adds to one series, in every window size of its metric at once
 * (so one record, not one per window size, travels through the repartition topic;
 * never the event). {@code time} places it in its windows: the event time, or for a
 * funnel the time of the user's step one. {@code role} says which part of a ratio it feeds;
 * {@code member} is the user or session for unique counts; {@code number} the
 * measured property; {@code step} the funnel step reached (1-based). {@code source}
 * is set on the first contribution of each event only (null on the others), so the
 * aggregator can count a late event once, under its source, at the cost of one source
 * name per event.
 */
public record Contribution(int metric, long time, byte role, String member, double number, int step, String source) {

    public Contribution(int metric, long time, byte role, String member, double number, int step) {
        this(metric, time, role, member, number, step, null);
    }

    public static final byte MAIN = 0;
    public static final byte NUMERATOR = 1;
    public static final byte DENOMINATOR = 2;

    /** A compact binary serde for the internal repartition topic. */
    public static Serde<Contribution> serde() {
        Serializer<Contribution> ser = (topic, c) -> {
            if (c == null) {
                return null;
            }
            try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(48); DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(3);
                out.writeInt(c.metric);
                out.writeLong(c.time);
                out.writeByte(c.role);
                out.writeBoolean(c.member != null);
                if (c.member != null) {
                    out.writeUTF(c.member);
                }
                out.writeDouble(c.number);
                out.writeInt(c.step);
                out.writeBoolean(c.source != null);
                if (c.source != null) {
                    out.writeUTF(c.source);
                }
                out.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        Deserializer<Contribution> de = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
                byte version = in.readByte();
                // version 2 (no source) may still be in the repartition topic after an upgrade
                if (version != 2 && version != 3) {
                    throw new IllegalArgumentException("unknown contribution format version " + version);
                }
                int metric = in.readInt();
                long time = in.readLong();
                byte role = in.readByte();
                String member = in.readBoolean() ? in.readUTF() : null;
                double number = in.readDouble();
                int step = in.readInt();
                String source = version >= 3 && in.readBoolean() ? in.readUTF() : null;
                return new Contribution(metric, time, role, member, number, step, source);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return Serdes.serdeFrom(ser, de);
    }
}

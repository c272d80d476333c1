package io.sightline.aggregate.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongUnaryOperator;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One input partition's whole state of one series window so far (a snapshot, not a
 * delta: a later snapshot of the same partition replaces an earlier one, so a
 * snapshot published twice, after a restart, counts once). {@code isFinal} says that
 * partition has closed the window and will send no more of it.
 *
 * @param closeAt   when the window closes (first final value): its end, plus grace, plus a funnel's time limit
 * @param series    the series key, window-size suffix included ({@code event_count.1h{event=Signed+Up}})
 * @param partition the input partition the snapshot comes from
 * @param state     the {@link MetricState} bytes
 */
public record PartialWindow(
        long closeAt, long start, long size, String series, int partition, boolean isFinal, byte[] state) {

    private static final byte VERSION = 1;
    /**
     * Keys of closed windows that still take late events start with this and then sort
     * by when they stop taking them (their expiry), so expiring is a scan over their front.
     */
    static final String REVISABLE = "r|";
    /** Later than any close or expiry time (15 digits, as keys are padded to). */
    static final long LAST = 999_999_999_999_999L;

    /** The store key of this window: close time first, zero-padded, so closing is a scan over the front. */
    public String storeKey() {
        return storeKey(closeAt, start, size, series);
    }

    public static String storeKey(long closeAt, long start, long size, String series) {
        StringBuilder key = new StringBuilder(40 + series.length());
        padded(key, closeAt).append('|');
        padded(key, start).append('|').append(size).append('|').append(series);
        return key.toString();
    }

    /** The key of a closed window still open to revision until {@code expireAt}. */
    static String revisableKey(long expireAt, long start, long size, String series) {
        return REVISABLE + storeKey(expireAt, start, size, series);
    }

    static boolean isRevisable(String key) {
        return key.startsWith(REVISABLE);
    }

    /**
     * The window a store key of either form names, with a partition's snapshot of it;
     * {@code revisableAfterClose} gives, per window size, how long a closed window stays
     * revisable (to find the close time from a revisable key's expiry).
     */
    static PartialWindow ofStoreKey(
            String key, LongUnaryOperator revisableAfterClose, int partition, boolean isFinal, byte[] state) {
        boolean revisable = isRevisable(key);
        String[] parts = key.substring(revisable ? REVISABLE.length() : 0).split("\\|", 4);
        long at = Long.parseLong(parts[0]);
        long size = Long.parseLong(parts[2]);
        long closeAt = revisable ? at - revisableAfterClose.applyAsLong(size) : at;
        return new PartialWindow(closeAt, Long.parseLong(parts[1]), size, parts[3], partition, isFinal, state);
    }

    /** {@code value} zero-padded to 15 digits, as every stored close and start time is. */
    static StringBuilder padded(StringBuilder to, long value) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < 15; i++) {
            to.append('0');
        }
        return to.append(digits);
    }

    /** The key from which every window closing at or before {@code time} sorts first. */
    static String closedUpTo(long time) {
        return padded(new StringBuilder(17), time).append("|~").toString();
    }

    /** The time a store key of either form starts with (close time, or a revisable window's expiry); {@code Long.MAX_VALUE} for null. */
    static long leadingTime(String key) {
        if (key == null) {
            return Long.MAX_VALUE;
        }
        int from = isRevisable(key) ? REVISABLE.length() : 0;
        return Long.parseLong(key.substring(from, key.indexOf('|', from)));
    }

    /** The key from which every revisable window expiring at or before {@code time} sorts first. */
    static String expiredUpTo(long time) {
        return REVISABLE + closedUpTo(time);
    }

    /** A compact binary serde for the internal repartition topic. */
    public static Serde<PartialWindow> serde() {
        Serializer<PartialWindow> ser = (topic, p) -> {
            if (p == null) {
                return null;
            }
            try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + p.state.length);
                    DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(VERSION);
                out.writeLong(p.closeAt);
                out.writeLong(p.start);
                out.writeLong(p.size);
                out.writeUTF(p.series);
                out.writeInt(p.partition);
                out.writeBoolean(p.isFinal);
                out.writeInt(p.state.length);
                out.write(p.state);
                out.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        Deserializer<PartialWindow> de = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                byte version = in.readByte();
                if (version != VERSION) {
                    throw new IllegalArgumentException("unknown partial window format version " + version);
                }
                long closeAt = in.readLong();
                long start = in.readLong();
                long size = in.readLong();
                String series = in.readUTF();
                int partition = in.readInt();
                boolean isFinal = in.readBoolean();
                byte[] state = new byte[in.readInt()];
                in.readFully(state);
                return new PartialWindow(closeAt, start, size, series, partition, isFinal, state);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return Serdes.serdeFrom(ser, de);
    }
}

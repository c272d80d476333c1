package io.sightline.aggregate.topology;

import io.sightline.aggregate.definition.Measure;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * The running aggregate of one series in one window, stored as bytes. Unique counts
 * use an HLL sketch (lgK 12: about 1.6 % relative standard error, a few KB at most);
 * distributions a KLL sketch (k 200: rank error about 1.65 %) plus an exact sum.
 */
public final class MetricState {

    public static final int HLL_LG_K = 12;
    public static final int KLL_K = 200;

    private final Measure.Type type;
    private long samples;
    private long count;
    private HllSketch hll;
    private double sum;
    private KllDoublesSketch kll;
    private MetricState numerator;
    private MetricState denominator;
    private long[] steps;

    private MetricState(Measure.Type type) {
        this.type = type;
    }

    /** An empty state; ratios take their operands' types, funnels their number of steps. */
    public static MetricState empty(
            Measure.Type type, Measure.Type numeratorType, Measure.Type denominatorType, int funnelSteps) {
        MetricState s = new MetricState(type);
        switch (type) {
            case COUNT -> {}
            case UNIQUE_USERS, UNIQUE_SESSIONS -> s.hll = new HllSketch(HLL_LG_K);
            case RATIO -> {
                s.numerator = empty(numeratorType, null, null, 0);
                s.denominator = empty(denominatorType, null, null, 0);
            }
            case FUNNEL -> s.steps = new long[funnelSteps];
            default -> s.kll = KllDoublesSketch.newHeapInstance(KLL_K);
        }
        return s;
    }

    public void add(Contribution c) {
        samples++;
        switch (type) {
            case COUNT -> count++;
            case UNIQUE_USERS, UNIQUE_SESSIONS -> {
                if (c.member() != null) {
                    hll.update(c.member());
                }
            }
            case RATIO -> (c.role() == Contribution.NUMERATOR ? numerator : denominator).add(c);
            case FUNNEL -> steps[c.step() - 1]++;
            default -> {
                sum += c.number();
                kll.update(c.number());
            }
        }
    }

    /**
     * Folds in {@code other}, the same metric's state of the same window from another
     * input partition: counts and sums add, sketches merge (the union of HLL sketches keeps
     * their stated error, and a user seen on both sides counts once).
     */
    public void merge(MetricState other) {
        if (other.type != type) {
            throw new IllegalArgumentException("cannot merge a " + other.type + " state into a " + type + " state");
        }
        samples += other.samples;
        switch (type) {
            case COUNT -> count += other.count;
            case UNIQUE_USERS, UNIQUE_SESSIONS -> {
                Union union = new Union(HLL_LG_K);
                union.update(hll);
                union.update(other.hll);
                hll = union.getResult(TgtHllType.HLL_4);
            }
            case RATIO -> {
                numerator.merge(other.numerator);
                denominator.merge(other.denominator);
            }
            case FUNNEL -> {
                for (int i = 0; i < Math.min(steps.length, other.steps.length); i++) {
                    steps[i] += other.steps[i];
                }
            }
            default -> {
                sum += other.sum;
                kll.merge(other.kll);
            }
        }
    }

    /** What the state measures. */
    public Measure.Type type() {
        return type;
    }

    public long samples() {
        return samples;
    }

    /** The metric's value: count, estimate, sum, mean, percentile, ratio or funnel conversion. */
    public double value() {
        return switch (type) {
            case COUNT -> count;
            case UNIQUE_USERS, UNIQUE_SESSIONS -> Math.round(hll.getEstimate());
            case RATIO -> {
                double d = denominator.value();
                yield d == 0 ? 0 : numerator.value() / d;
            }
            case FUNNEL -> steps[0] == 0 ? 0 : (double) steps[steps.length - 1] / steps[0];
            case SUM -> sum;
            case MEAN -> samples == 0 ? 0 : sum / samples;
            case P50 -> quantile(0.50);
            case P95 -> quantile(0.95);
            default -> quantile(0.99);
        };
    }

    public Double quantile(double rank) {
        return kll == null || kll.isEmpty() ? null : kll.getQuantile(rank);
    }

    /** Named values beyond {@link #value()}: ratio operands, funnel steps and drop-off, sum and mean. */
    public Map<String, Double> values() {
        Map<String, Double> v = new LinkedHashMap<>();
        switch (type) {
            case RATIO -> {
                v.put("numerator", numerator.value());
                v.put("denominator", denominator.value());
            }
            case FUNNEL -> {
                for (int i = 0; i < steps.length; i++) {
                    v.put("step_" + (i + 1), (double) steps[i]);
                    if (i > 0) {
                        v.put("dropoff_" + (i + 1), steps[i - 1] == 0 ? 0 : 1 - (double) steps[i] / steps[i - 1]);
                    }
                }
            }
            case SUM, MEAN, P50, P95, P99 -> {
                v.put("sum", sum);
                v.put("mean", samples == 0 ? 0 : sum / samples);
            }
            default -> {}
        }
        return v;
    }

    public boolean distribution() {
        return kll != null;
    }

    public byte[] toBytes() {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
                DataOutputStream out = new DataOutputStream(bytes)) {
            write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MetricState fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(DataOutputStream out) throws IOException {
        out.writeByte(type.ordinal());
        out.writeLong(samples);
        switch (type) {
            case COUNT -> out.writeLong(count);
            case UNIQUE_USERS, UNIQUE_SESSIONS -> writeBytes(out, hll.toCompactByteArray());
            case RATIO -> {
                numerator.write(out);
                denominator.write(out);
            }
            case FUNNEL -> {
                out.writeInt(steps.length);
                for (long s : steps) {
                    out.writeLong(s);
                }
            }
            default -> {
                out.writeDouble(sum);
                writeBytes(out, kll.toByteArray());
            }
        }
    }

    private static MetricState read(DataInputStream in) throws IOException {
        MetricState s = new MetricState(Measure.Type.values()[in.readByte()]);
        s.samples = in.readLong();
        switch (s.type) {
            case COUNT -> s.count = in.readLong();
            case UNIQUE_USERS, UNIQUE_SESSIONS -> s.hll = HllSketch.heapify(readBytes(in));
            case RATIO -> {
                s.numerator = read(in);
                s.denominator = read(in);
            }
            case FUNNEL -> {
                s.steps = new long[in.readInt()];
                for (int i = 0; i < s.steps.length; i++) {
                    s.steps[i] = in.readLong();
                }
            }
            default -> {
                s.sum = in.readDouble();
                s.kll = KllDoublesSketch.heapify(Memory.wrap(readBytes(in)));
            }
        }
        return s;
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}

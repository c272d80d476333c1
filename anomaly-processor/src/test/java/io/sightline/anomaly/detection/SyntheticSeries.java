package io.sightline.anomaly.detection;

import java.util.Arrays;
import java.util.Random;

/**
 * Synthetic metric series with known anomalies, for tests and for tuning the defaults:
 * a base level with optional trend, daily and weekly seasonality and Gaussian noise,
 * and injected spikes, level shifts and drops to zero, each labelled.
 */
public final class SyntheticSeries {

    private final double[] values;
    private final boolean[] labels;
    private final long windowMillis;

    private SyntheticSeries(double[] values, boolean[] labels, long windowMillis) {
        this.values = values;
        this.labels = labels;
        this.windowMillis = windowMillis;
    }

    public static Builder builder(int windows, long windowMillis, long seed) {
        return new Builder(windows, windowMillis, seed);
    }

    public double[] values() {
        return values.clone();
    }

    public boolean[] labels() {
        return labels.clone();
    }

    public long windowMillis() {
        return windowMillis;
    }

    public int size() {
        return values.length;
    }

    /** Builds a series step by step: shape first, then anomalies. */
    public static final class Builder {
        private final double[] values;
        private final boolean[] labels;
        private final long windowMillis;
        private final Random random;

        private Builder(int windows, long windowMillis, long seed) {
            this.values = new double[windows];
            this.labels = new boolean[windows];
            this.windowMillis = windowMillis;
            this.random = new Random(seed);
        }

        public Builder level(double level) {
            Arrays.fill(values, level);
            return this;
        }

        /** Adds {@code perDay} per day of growth. */
        public Builder trend(double perDay) {
            double perWindow = perDay * windowMillis / 86_400_000.0;
            for (int i = 0; i < values.length; i++) {
                values[i] += perWindow * i;
            }
            return this;
        }

        /** A sinusoidal daily cycle of the given amplitude, peaking mid-day UTC. */
        public Builder daily(double amplitude) {
            return cycle(amplitude, 86_400_000L);
        }

        /** A weekly cycle: {@code weekendDip} lower on the two days of the week that start at epoch day 2 and 3 (Sat, Sun). */
        public Builder weekly(double weekendDip) {
            for (int i = 0; i < values.length; i++) {
                long day = Math.floorDiv(i * windowMillis, 86_400_000L) % 7;
                if (day == 2 || day == 3) {
                    values[i] -= weekendDip;
                }
            }
            return this;
        }

        private Builder cycle(double amplitude, long period) {
            for (int i = 0; i < values.length; i++) {
                double phase = 2 * Math.PI * Math.floorMod(i * windowMillis, period) / period;
                values[i] += amplitude * Math.sin(phase - Math.PI / 2);
            }
            return this;
        }

        public Builder noise(double sigma) {
            for (int i = 0; i < values.length; i++) {
                values[i] += sigma * random.nextGaussian();
            }
            return this;
        }

        public Builder spike(int at, double height) {
            values[at] += height;
            labels[at] = true;
            return this;
        }

        /** Adds {@code delta} from {@code at} for {@code length} windows; the first windows of the shift and of the return are labelled. */
        public Builder levelShift(int at, int length, double delta) {
            int end = Math.min(values.length, at + length);
            for (int i = at; i < end; i++) {
                values[i] += delta;
            }
            for (int i = at; i < Math.min(values.length, at + 3); i++) {
                labels[i] = true;
            }
            for (int i = end; i < Math.min(values.length, end + 3); i++) {
                labels[i] = true;
            }
            return this;
        }

        public Builder dropToZero(int at, int length) {
            for (int i = at; i < Math.min(values.length, at + length); i++) {
                values[i] = 0;
                labels[i] = true;
            }
            return this;
        }

        public SyntheticSeries build() {
            double[] v = values.clone();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.max(0, v[i]);
            }
            return new SyntheticSeries(v, labels.clone(), windowMillis);
        }
    }
}

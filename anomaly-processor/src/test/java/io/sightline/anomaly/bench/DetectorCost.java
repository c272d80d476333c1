package io.sightline.anomaly.bench;

import io.sightline.anomaly.AnomalyConfig;
import io.sightline.anomaly.detection.SeriesEngine;
import io.sightline.anomaly.rules.MetricRule;
import io.sightline.schemas.avro.SeriesHistory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What detection costs per series: CPU per complete window (engine, and engine plus the
 * state's Avro round trip that the state store adds) and the state's size once the history
 * is full. Series of one-minute windows around 100 (sigma 5) with a daily cycle, each
 * series updated once per window, round-robin over all series like a busy partition.
 * <p>
 * {@code java -cp <test classpath> io.sightline.anomaly.bench.DetectorCost [series] [measuredWindows] [rulesFile]}
 */
public final class DetectorCost {

    public static void main(String[] args) throws Exception {
        // Avro's message decoder checks generated classes against a trust list (the processor's serde does not use it).
        System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "io.sightline.schemas.avro,java.lang,java.util");
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Map<String, String> env = args.length > 2
                ? Map.of("SIGHTLINE_DETECTOR_RULES_FILE", Path.of(args[2]).toString())
                : Map.of();
        MetricRule rule = new AnomalyConfig(env).rules().forMetric("event_count");
        int warmup = rule.historyWindows() + 1 + 10;
        SeriesEngine engine = new SeriesEngine(rule);
        ByteBuffer[] states = new ByteBuffer[series];
        SplittableRandom random = new SplittableRandom(42);
        for (int s = 0; s < series; s++) {
            states[s] = SeriesEngine.newHistory().toByteBuffer();
        }
        long minute = 60_000L;
        long engineNanos = 0;
        long totalNanos = 0;
        long windows = 0;
        for (int w = 0; w < warmup + measured; w++) {
            boolean timed = w >= warmup;
            double daily = 50 * Math.sin(2 * Math.PI * (w % 1440) / 1440.0);
            for (int s = 0; s < series; s++) {
                long t0 = System.nanoTime();
                SeriesHistory h = SeriesHistory.fromByteBuffer(states[s]);
                long t1 = System.nanoTime();
                engine.update(h, w * minute, minute, 100 + daily + 5 * random.nextGaussian());
                long t2 = System.nanoTime();
                states[s] = h.toByteBuffer();
                long t3 = System.nanoTime();
                if (timed) {
                    engineNanos += t2 - t1;
                    totalNanos += t3 - t0;
                    windows++;
                }
            }
            if (w % 20 == 0 || w == warmup + measured - 1) {
                System.err.printf(Locale.ROOT, "window %d of %d%n", w + 1, warmup + measured);
            }
        }
        long bytes = 0;
        for (ByteBuffer b : states) {
            bytes += b.remaining();
        }
        System.out.printf(
                Locale.ROOT,
                "rule: detectors %s, seasonality %s, history %d windows%n",
                rule.detectors(),
                rule.seasonality(),
                rule.historyWindows());
        System.out.printf(
                Locale.ROOT,
                "%d series, %d measured windows each: engine %.1f us/window, engine + state round trip %.1f us/window"
                        + " (%.0f windows/s on one core)%n",
                series,
                measured,
                engineNanos / 1e3 / windows,
                totalNanos / 1e3 / windows,
                windows / (totalNanos / 1e9));
        System.out.printf(
                Locale.ROOT,
                "state %.0f bytes per series (Avro), %.1f MB for 100,000 series%n",
                (double) bytes / series,
                bytes / (double) series * 100_000 / 1e6);
    }

    private DetectorCost() {}
}

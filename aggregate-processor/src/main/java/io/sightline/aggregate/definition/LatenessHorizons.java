package io.sightline.aggregate.definition;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How long after its end a window of each size still takes late events (by receive
 * time), as {@code size=horizon} pairs: {@code 1m=15m,1h=48h,1d=7d}. A phone that was
 * offline for hours still has its events counted in their hour; an event later than
 * every horizon of its windows is rejected, visibly. A size that is not listed takes the
 * horizon of the largest listed size below it (or of the smallest listed one).
 */
public final class LatenessHorizons {

    public static final String DEFAULT = "1m=15m,1h=48h,1d=7d";

    private final TreeMap<Long, Long> bySize;

    private LatenessHorizons(TreeMap<Long, Long> bySize) {
        this.bySize = bySize;
    }

    public static LatenessHorizons defaults() {
        return parse(List.of(DEFAULT.split(",")));
    }

    /** Parses {@code size=horizon} entries; an error names the entry and what is wrong with it. */
    public static LatenessHorizons parse(List<String> entries) {
        TreeMap<Long, Long> bySize = new TreeMap<>();
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(
                        "lateness horizon '" + entry + "' must be size=horizon, e.g. 1h=48h");
            }
            Duration size;
            Duration horizon;
            try {
                size = MetricDefinition.parseWindow(entry.substring(0, eq).trim());
                horizon = MetricDefinition.parseWindow(entry.substring(eq + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("lateness horizon '" + entry + "': " + e.getMessage(), e);
            }
            if (bySize.put(size.toMillis(), horizon.toMillis()) != null) {
                throw new IllegalArgumentException(
                        "lateness horizon '" + entry + "': window size " + size + " is listed twice");
            }
        }
        if (bySize.isEmpty()) {
            throw new IllegalArgumentException(
                    "lateness horizons must list at least one size=horizon pair, e.g. " + DEFAULT);
        }
        return new LatenessHorizons(bySize);
    }

    /** How long after its end a window of {@code sizeMillis} takes late events. */
    public long horizonMillis(long sizeMillis) {
        Map.Entry<Long, Long> listed = bySize.floorEntry(sizeMillis);
        return (listed != null ? listed : bySize.firstEntry()).getValue();
    }

    /**
     * How long a window of {@code sizeMillis} stays open to revision after it closes at its
     * end plus {@code graceMillis}: its horizon beyond the grace, never less than nothing.
     */
    public long revisableAfterClose(long sizeMillis, long graceMillis) {
        return Math.max(0, horizonMillis(sizeMillis) - graceMillis);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        bySize.forEach((size, horizon) -> out.append(out.isEmpty() ? "" : ",")
                .append(Duration.ofMillis(size))
                .append('=')
                .append(Duration.ofMillis(horizon)));
        return out.toString();
    }
}

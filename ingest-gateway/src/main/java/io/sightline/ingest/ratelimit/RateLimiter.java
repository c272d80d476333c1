package io.sightline.ingest.ratelimit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A token bucket per source: {@code ratePerSecond} tokens flow in, at most
 * {@code burst} are kept, one event takes one token. The sources come from
 * configuration, so the map of buckets is bounded by the number of write keys.
 */
public final class RateLimiter {

    private final double ratePerNano;
    private final long burst;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** @param ratePerSecond 0 lets everything through */
    public RateLimiter(double ratePerSecond, long burst, LongSupplier nanoClock) {
        this.ratePerNano = ratePerSecond / TimeUnit.SECONDS.toNanos(1);
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    public RateLimiter(double ratePerSecond, long burst) {
        this(ratePerSecond, burst, System::nanoTime);
    }

    public boolean isEnabled() {
        return ratePerNano > 0;
    }

    /**
     * Takes {@code events} tokens from {@code source}'s bucket if it holds that many.
     *
     * @return 0 when taken, otherwise the whole seconds after which the same request would pass (for Retry-After)
     */
    public long tryAcquire(String source, int events) {
        if (!isEnabled()) {
            return 0;
        }
        return buckets.computeIfAbsent(source, s -> new Bucket(burst, nanoClock.getAsLong()))
                .take(events, nanoClock.getAsLong());
    }

    private final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(long tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        synchronized long take(int n, long now) {
            tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
            refilledAt = now;
            if (tokens >= n) {
                tokens -= n;
                return 0;
            }
            double missingNanos = (Math.min(n, burst) - tokens) / ratePerNano;
            return Math.max(1, (long) Math.ceil(missingNanos / TimeUnit.SECONDS.toNanos(1)));
        }
    }
}

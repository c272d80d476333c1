package io.sightline.ingest.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong now = new AtomicLong();
    private final RateLimiter limiter = new RateLimiter(10, 20, now::get);

    @Test
    void shouldLetABurstPassAndThenSayHowLongToWait() {
        assertThat(limiter.tryAcquire("web", 20)).isZero();

        // empty bucket, 10 tokens per second: 5 events need half a second, answered as a whole second
        assertThat(limiter.tryAcquire("web", 5)).isEqualTo(1);
        // 20 events need two seconds
        assertThat(limiter.tryAcquire("web", 20)).isEqualTo(2);
    }

    @Test
    void shouldRefillAtTheConfiguredRateButNeverAboveTheBurst() {
        limiter.tryAcquire("web", 20);

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(limiter.tryAcquire("web", 5)).isZero();
        assertThat(limiter.tryAcquire("web", 1)).isEqualTo(1);

        now.addAndGet(TimeUnit.HOURS.toNanos(1));
        assertThat(limiter.tryAcquire("web", 20)).isZero();
        assertThat(limiter.tryAcquire("web", 1)).isEqualTo(1);
    }

    @Test
    void shouldKeepOneBucketPerSource() {
        limiter.tryAcquire("web", 20);

        assertThat(limiter.tryAcquire("ios", 20)).isZero();
    }

    @Test
    void shouldLetEverythingThroughWhenTheRateIsZero() {
        RateLimiter off = new RateLimiter(0, 1, now::get);

        assertThat(off.tryAcquire("web", 1_000_000)).isZero();
        assertThat(off.isEnabled()).isFalse();
    }
}

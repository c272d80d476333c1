package io.sightline.bench;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The load loop the generators share: {@code concurrency} threads, each on its own
 * {@link KeepAliveConnection}, each sending {@code requestsPerThread} requests. Closed
 * loop when {@code requestsPerSecond} is 0 (the next request as soon as the answer
 * came); otherwise each thread keeps a fixed schedule and latency is measured from the
 * scheduled send time, so a stall counts against every request it delayed (no
 * coordinated omission).
 */
final class RequestLoop {

    /** Sends request number {@code n} of thread {@code thread} and answers the HTTP status. */
    @FunctionalInterface
    interface Request {
        int send(KeepAliveConnection connection, int thread, long n) throws IOException;
    }

    /** What a run measured; {@code items} counts what the 200 answers carried (events, queries). */
    record Result(
            long items,
            double seconds,
            long requests,
            Histogram latencyMicros,
            Map<Integer, Long> otherStatuses,
            long errors) {

        double itemsPerSecond() {
            return items / seconds;
        }

        double requestsPerSecond() {
            return requests / seconds;
        }

        double ms(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }

        double maxMs() {
            return latencyMicros.getMaxValue() / 1000.0;
        }

        boolean allOk() {
            return otherStatuses.isEmpty() && errors == 0;
        }
    }

    private RequestLoop() {}

    static Result run(
            URI base,
            int concurrency,
            long requestsPerThread,
            int itemsPerRequest,
            double requestsPerSecond,
            Request request)
            throws Exception {
        Map<Integer, Long> otherStatuses = new ConcurrentHashMap<>();
        AtomicLong errors = new AtomicLong();
        AtomicLong okItems = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        long intervalNanos =
                requestsPerSecond > 0 ? (long) (TimeUnit.SECONDS.toNanos(1) * concurrency / requestsPerSecond) : 0;
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, RequestLoop::daemon);
        List<Future<Histogram>> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            int thread = t;
            // Threads start spread over one interval, so a paced load is even, not in bursts.
            long offset = intervalNanos * t / concurrency;
            threads.add(pool.submit(() -> {
                Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
                try (KeepAliveConnection connection = new KeepAliveConnection(base)) {
                    for (long n = 0; n < requestsPerThread; n++) {
                        long scheduled = intervalNanos > 0 ? start + offset + n * intervalNanos : System.nanoTime();
                        long wait = scheduled - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        try {
                            int status = request.send(connection, thread, n);
                            if (status == 200) {
                                okItems.addAndGet(itemsPerRequest);
                            } else {
                                otherStatuses.merge(status, 1L, Long::sum);
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        }
                        requests.incrementAndGet();
                        h.recordValue(Math.min(
                                h.getHighestTrackableValue(),
                                TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - scheduled)));
                    }
                }
                return h;
            }));
        }
        Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
        for (Future<Histogram> f : threads) {
            all.add(f.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return new Result(okItems.get(), seconds, requests.get(), all, otherStatuses, errors.get());
    }

    /** The generators' command line: {@code --option value} pairs, by option name without the dashes. */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("expected --option value pairs, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "load");
        t.setDaemon(true);
        return t;
    }
}

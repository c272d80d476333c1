package io.sightline.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.HdrHistogram.Recorder;
import org.apache.commons.math3.stat.regression.SimpleRegression;

/**
 * Watches a long run of the local stack: every {@code --interval-seconds} it samples the
 * stack process (heap after the latest GC, from its GC log; resident memory, open file
 * descriptors and threads, from {@code /proc}; the size of its state directory) and the
 * p99 of its own probe requests, a POST of one event and a one-series query, each sent
 * {@code --probe-rate} times a second beside the bulk load. At the end it prints a row a
 * minute and, for each column, the trend over the last {@code --trend-minutes}: the change
 * of a straight-line fit from its start to its end. A column is flat when that change is
 * within 10 % of its mean (or a few units, for counts of descriptors and threads).
 *
 * <p>Usage: {@code SoakSampler --pid P --gc-log F --state-dir D --gateway URL --serving URL
 * [--write-key K] [--minutes 30] [--trend-minutes 20] [--interval-seconds 10] [--probe-rate 10]}
 */
public final class SoakSampler {

    /** One sample; latencies in milliseconds, sizes in MiB. */
    record Sample(
            Instant at,
            double heapAfterGcMiB,
            double rssMiB,
            double stateMiB,
            long fds,
            long threads,
            double postP99Ms,
            double queryP99Ms,
            long probeErrors) {}

    // G1 and Parallel: "612M->180M(1024M)"; ZGC: "416M(20%)->120M(6%)".
    private static final Pattern GC_PAUSE =
            Pattern.compile("(\\d+)M(?:\\(\\d+%\\))?->(\\d+)M(?:\\(\\d+M\\)|\\(\\d+%\\))");
    // ZGC with gc+heap logging: "Live:  -  108M (5%)  108M (5%) ...", marked live at the end of marking.
    private static final Pattern ZGC_LIVE = Pattern.compile("Live:\\s+-\\s+(\\d+)M");
    static final double FLAT_SHARE = 0.10;

    private final Map<String, String> options;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Recorder posts = new Recorder(3);
    private final Recorder queries = new Recorder(3);
    private final AtomicLong probeErrors = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();

    private SoakSampler(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        for (String required : List.of("pid", "gc-log", "state-dir", "gateway", "serving")) {
            if (!options.containsKey(required)) {
                System.err.println("missing --" + required + "; see the class comment for the usage");
                System.exit(2);
            }
        }
        List<Sample> samples = new SoakSampler(options).run();
        int trendMinutes = Integer.parseInt(options.getOrDefault("trend-minutes", "20"));
        String table = table(samples, trendMinutes);
        System.out.println(table);
        System.exit(table.contains("NOT FLAT") ? 1 : 0);
    }

    private List<Sample> run() throws InterruptedException {
        long pid = Long.parseLong(options.get("pid"));
        Duration interval = Duration.ofSeconds(Long.parseLong(options.getOrDefault("interval-seconds", "10")));
        Duration total = Duration.ofMinutes(Long.parseLong(options.getOrDefault("minutes", "30")));
        double probeRate = Double.parseDouble(options.getOrDefault("probe-rate", "10"));
        ScheduledExecutorService probes = Executors.newScheduledThreadPool(2);
        long periodMicros = Math.round(1_000_000 / probeRate);
        probes.scheduleAtFixedRate(this::probePost, 0, periodMicros, TimeUnit.MICROSECONDS);
        probes.scheduleAtFixedRate(this::probeQuery, periodMicros / 2, periodMicros, TimeUnit.MICROSECONDS);
        List<Sample> samples = new ArrayList<>();
        long end = System.nanoTime() + total.toNanos();
        try {
            while (System.nanoTime() < end) {
                TimeUnit.NANOSECONDS.sleep(interval.toNanos());
                if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new IllegalStateException("the stack (pid " + pid + ") is gone");
                }
                Sample s = sample(pid);
                samples.add(s);
                System.out.println(row(s));
            }
        } finally {
            probes.shutdownNow();
        }
        return samples;
    }

    private Sample sample(long pid) {
        Map<String, Long> status = procStatus(pid);
        long fds;
        try (Stream<Path> open = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            fds = open.count();
        } catch (IOException e) {
            fds = -1;
        }
        return new Sample(
                Instant.now(),
                heapAfterGc(Path.of(options.get("gc-log"))),
                status.getOrDefault("VmRSS", 0L) / 1024.0,
                directorySize(Path.of(options.get("state-dir"))) / 1048576.0,
                fds,
                status.getOrDefault("Threads", 0L),
                posts.getIntervalHistogram().getValueAtPercentile(99) / 1e6,
                queries.getIntervalHistogram().getValueAtPercentile(99) / 1e6,
                probeErrors.getAndSet(0));
    }

    /**
     * Heap in use after the latest collection, from a {@code -Xlog:gc} line such as {@code 612M->180M(1024M)}
     * (G1) or {@code 416M(20%)->120M(6%)} (ZGC). Only a collection of the whole heap says what is live:
     * after a G1 young collection it also counts old-generation garbage not yet marked, so the soak
     * runs the stack on ZGC (on JDK 17 every ZGC cycle is a whole-heap one). ZGC's "after" still holds
     * what was allocated during its concurrent cycle, so its marked live size ({@code gc+heap} logging)
     * is taken when the log has it.
     */
    static double heapAfterGc(Path gcLog) {
        try {
            List<String> lines = Files.readAllLines(gcLog, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                Matcher m = ZGC_LIVE.matcher(lines.get(i));
                if (m.find()) {
                    return Double.parseDouble(m.group(1));
                }
            }
            for (int i = lines.size() - 1; i >= 0; i--) {
                Matcher m = GC_PAUSE.matcher(lines.get(i));
                if (m.find()) {
                    return Double.parseDouble(m.group(2));
                }
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the GC log " + gcLog + " (--gc-log)", e);
        }
    }

    private static Map<String, Long> procStatus(long pid) {
        Map<String, Long> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                String[] kv = line.split(":\\s+", 2);
                if (kv.length == 2 && (kv[0].equals("VmRSS") || kv[0].equals("Threads"))) {
                    out.put(kv[0], Long.parseLong(kv[1].replace(" kB", "").trim()));
                }
            }
        } catch (IOException e) {
            // the process ended between the check and the read: the next sample says so
        }
        return out;
    }

    private static long directorySize(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            return 0; // deleted while walking (compaction): no longer part of the state
                        }
                    })
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private void probePost() {
        String body = "{\"type\":\"track\",\"event\":\"Soak Probe\",\"userId\":\"soak-probe\",\"messageId\":\"soak-"
                + sequence.incrementAndGet() + "-" + System.nanoTime() + "\"}";
        String key = options.getOrDefault("write-key", "local-dev-key");
        timed(
                posts,
                HttpRequest.newBuilder(URI.create(options.get("gateway") + "/v1/track"))
                        .header("Content-Type", "application/json")
                        .header(
                                "Authorization",
                                "Basic "
                                        + Base64.getEncoder()
                                                .encodeToString((key + ":").getBytes(StandardCharsets.UTF_8)))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build());
    }

    private void probeQuery() {
        timed(
                queries,
                HttpRequest.newBuilder(
                                URI.create(options.get("serving") + "/v1/metrics/event_count?event=Soak%20Probe"))
                        .GET()
                        .build());
    }

    private void timed(Recorder recorder, HttpRequest request) {
        long start = System.nanoTime();
        try {
            int status =
                    http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            recorder.recordValue(System.nanoTime() - start);
            if (status >= 300 && status != 404) { // 404: the probe's series before its first window
                probeErrors.incrementAndGet();
            }
        } catch (IOException e) {
            probeErrors.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String row(Sample s) {
        return String.format(
                Locale.ROOT,
                "| %s | %.0f | %.0f | %.1f | %d | %d | %.1f | %.1f | %d |",
                s.at().toString().substring(11, 19),
                s.heapAfterGcMiB(),
                s.rssMiB(),
                s.stateMiB(),
                s.fds(),
                s.threads(),
                s.postP99Ms(),
                s.queryP99Ms(),
                s.probeErrors());
    }

    /** A row a minute (its last sample; p99s the largest of the minute), then the trend of each column. */
    static String table(List<Sample> samples, int trendMinutes) {
        StringBuilder out = new StringBuilder(
                "| time | heap after GC MiB | RSS MiB | state MiB | fds | threads | POST p99 ms | query p99 ms | probe errors |\n"
                        + "|---|---|---|---|---|---|---|---|---|\n");
        Instant first = samples.isEmpty() ? Instant.now() : samples.get(0).at();
        Map<Long, List<Sample>> byMinute = new java.util.TreeMap<>();
        samples.forEach(s -> byMinute.computeIfAbsent(
                        Duration.between(first, s.at()).toMinutes(), m -> new ArrayList<>())
                .add(s));
        byMinute.values().forEach(minute -> {
            Sample last = minute.get(minute.size() - 1);
            out.append(row(new Sample(
                            last.at(),
                            last.heapAfterGcMiB(),
                            last.rssMiB(),
                            last.stateMiB(),
                            last.fds(),
                            last.threads(),
                            minute.stream().mapToDouble(Sample::postP99Ms).max().orElse(0),
                            minute.stream()
                                    .mapToDouble(Sample::queryP99Ms)
                                    .max()
                                    .orElse(0),
                            minute.stream().mapToLong(Sample::probeErrors).sum())))
                    .append('\n');
        });
        Instant from = samples.isEmpty()
                ? first
                : samples.get(samples.size() - 1).at().minus(Duration.ofMinutes(trendMinutes));
        List<Sample> tail = samples.stream().filter(s -> !s.at().isBefore(from)).toList();
        out.append("\nTrend over the last ")
                .append(trendMinutes)
                .append(
                        " minutes (straight-line fit, start → end):\n\n| column | start | end | change | verdict |\n|---|---|---|---|---|\n");
        trend(out, "heap after GC MiB", tail, Sample::heapAfterGcMiB, 16);
        trend(out, "RSS MiB", tail, Sample::rssMiB, 0);
        trend(out, "state MiB", tail, Sample::stateMiB, 16);
        trend(out, "open fds", tail, s -> s.fds(), 20);
        trend(out, "threads", tail, s -> s.threads(), 5);
        trend(out, "POST p99 ms", tail, Sample::postP99Ms, 5);
        trend(out, "query p99 ms", tail, Sample::queryP99Ms, 5);
        return out.toString();
    }

    private static void trend(
            StringBuilder out,
            String column,
            List<Sample> samples,
            java.util.function.ToDoubleFunction<Sample> value,
            double absoluteSlack) {
        if (samples.size() < 3) {
            out.append("| ").append(column).append(" | | | | too few samples |\n");
            return;
        }
        SimpleRegression fit = new SimpleRegression();
        long t0 = samples.get(0).at().toEpochMilli();
        samples.forEach(s -> fit.addData((s.at().toEpochMilli() - t0) / 60_000.0, value.applyAsDouble(s)));
        double span = (samples.get(samples.size() - 1).at().toEpochMilli() - t0) / 60_000.0;
        double start = fit.predict(0);
        double end = fit.predict(span);
        double mean = samples.stream().mapToDouble(value).average().orElse(0);
        double change = end - start;
        boolean flat = Math.abs(change) <= Math.max(FLAT_SHARE * Math.abs(mean), absoluteSlack);
        out.append(String.format(
                Locale.ROOT,
                "| %s | %.1f | %.1f | %+.1f (%+.1f %%) | %s |%n",
                column,
                start,
                end,
                change,
                mean == 0 ? 0 : 100 * change / mean,
                flat ? "flat" : "NOT FLAT"));
    }
}

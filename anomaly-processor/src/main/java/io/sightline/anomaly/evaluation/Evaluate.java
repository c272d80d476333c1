package io.sightline.anomaly.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.anomaly.backtest.BacktestRun;
import io.sightline.anomaly.backtest.Row;
import io.sightline.anomaly.backtest.RuleOptions;
import io.sightline.anomaly.rules.MetricRule;
import io.sightline.schemas.avro.AlertStatus;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Scores a detector configuration on a labelled corpus in NAB's layout with NAB's rules,
 * for its three profiles, over the whole corpus and per category. Each series is replayed
 * through the same engine as the processor ({@link BacktestRun}); a detection is an
 * alert's onset (a firing), as an on-call engineer experiences it. With
 * {@code --published <detector>} it scores that detector's published results instead, at
 * NAB's thresholds: how the scorer is checked against NAB's own numbers.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description =
                "Scores the anomaly detector on a labelled corpus in NAB's layout (data/<category>/<name>.csv, labels/combined_windows.json).")
public final class Evaluate implements Callable<Integer> {

    @Option(
            names = "--corpus",
            required = true,
            description = "The corpus root, e.g. a checkout of the Numenta Anomaly Benchmark.")
    Path corpus;

    @Option(
            names = "--categories",
            split = ",",
            description = "Only these categories (default: all), e.g. realKnownCause,realTraffic.")
    List<String> categories = new ArrayList<>();

    @Mixin
    RuleOptions ruleOptions;

    @Option(
            names = "--write-results",
            description =
                    "Also write each series in NAB's results format (anomaly_score 1.0 at onsets) under this directory.")
    Path resultsDir;

    @Option(
            names = "--published",
            description =
                    "Score this detector's published results (<corpus>/results/<name>/) at NAB's thresholds instead.")
    String published;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Evaluate()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<LabelledSeries> series = NabCorpus.read(corpus, new LinkedHashSet<>(categories));
        System.out.printf(
                Locale.ROOT,
                "%d series, %d windows%n",
                series.size(),
                series.stream().mapToInt(s -> s.windows().size()).sum());
        Map<Profile, boolean[][]> detections = new LinkedHashMap<>();
        if (published != null) {
            JsonNode thresholds = new ObjectMapper()
                    .readTree(
                            corpus.resolve("config").resolve("thresholds.json").toFile())
                    .path(published);
            for (Profile profile : Profile.ALL) {
                double threshold =
                        thresholds.path(profile.name()).path("threshold").asDouble(Double.NaN);
                if (Double.isNaN(threshold)) {
                    throw new IllegalArgumentException(
                            "config/thresholds.json has no threshold of " + published + " for " + profile.name());
                }
                boolean[][] flags = new boolean[series.size()][];
                for (int i = 0; i < series.size(); i++) {
                    flags[i] = publishedDetections(series.get(i), threshold);
                }
                detections.put(profile, flags);
            }
        } else {
            // A benchmark's series are gauges: a missing sample is unknown, not zero, and a low value is not a low
            // volume (unless --set gaps=zero or --set minVolume=...).
            MetricRule rule = ruleOptions.rule(Map.of("gaps", "skip", "minVolume", "0"));
            boolean[][] flags = new boolean[series.size()][];
            for (int i = 0; i < series.size(); i++) {
                flags[i] = onsets(rule, series.get(i));
                if (resultsDir != null) {
                    writeResults(series.get(i), flags[i]);
                }
            }
            Profile.ALL.forEach(p -> detections.put(p, flags));
        }
        print(series, detections);
        return 0;
    }

    /**
     * The rows at which the rule's alerts fire, replayed as the processor would see the
     * series: in windows of its typical (median) sampling step, samples of one window
     * averaged, older samples skipped.
     */
    public static boolean[] onsets(MetricRule rule, LabelledSeries s) {
        boolean[] flags = new boolean[s.size()];
        long window = medianStep(s.timestamps());
        if (window <= 0) {
            return flags;
        }
        List<Row> rows = new ArrayList<>();
        Map<Long, Integer> firstRowOf = new HashMap<>();
        long origin = s.timestamps()[0];
        int inWindow = 0;
        for (int i = 0; i < s.size(); i++) {
            long start = origin + Math.floorDiv(s.timestamps()[i] - origin, window) * window;
            Row last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
            if (last != null && start == last.timestamp()) {
                inWindow++;
                rows.set(
                        rows.size() - 1,
                        new Row(start, last.value() + (s.values()[i] - last.value()) / inWindow, null));
            } else if (last == null || start > last.timestamp()) {
                rows.add(new Row(start, s.values()[i], null));
                firstRowOf.put(start, i);
                inWindow = 1;
            }
        }
        if (rows.size() < 2) {
            return flags;
        }
        BacktestRun.Result result = BacktestRun.run(rule, rows, window, 0);
        for (BacktestRun.Detection d : result.detections()) {
            if (d.transition().status() == AlertStatus.firing) {
                Integer row = firstRowOf.get(rows.get(d.row()).timestamp());
                if (row != null) {
                    flags[row] = true;
                }
            }
        }
        return flags;
    }

    static long medianStep(long[] timestamps) {
        List<Long> steps = new ArrayList<>();
        for (int i = 1; i < timestamps.length; i++) {
            if (timestamps[i] > timestamps[i - 1]) {
                steps.add(timestamps[i] - timestamps[i - 1]);
            }
        }
        if (steps.isEmpty()) {
            return 0;
        }
        steps.sort(null);
        return steps.get(steps.size() / 2);
    }

    private boolean[] publishedDetections(LabelledSeries s, double threshold) throws IOException {
        String file = s.name().substring(s.name().indexOf('/') + 1);
        Path path = corpus.resolve("results")
                .resolve(published)
                .resolve(s.category())
                .resolve(published + "_" + file);
        List<String> lines = Files.readAllLines(path);
        int column = List.of(lines.get(0).split(",")).indexOf("anomaly_score");
        boolean[] flags = new boolean[s.size()];
        for (int i = 1; i < lines.size() && i - 1 < flags.length; i++) {
            flags[i - 1] = Double.parseDouble(lines.get(i).split(",")[column]) >= threshold;
        }
        return flags;
    }

    private void writeResults(LabelledSeries s, boolean[] flags) throws IOException {
        String file = s.name().substring(s.name().indexOf('/') + 1);
        Path out = resultsDir.resolve(s.category()).resolve("sightline_" + file);
        Files.createDirectories(out.getParent());
        boolean[] label = new boolean[s.size()];
        s.windows().forEach(w -> java.util.Arrays.fill(label, w.first(), w.last() + 1, true));
        try (Writer w = Files.newBufferedWriter(out)) {
            w.write("timestamp,value,anomaly_score,label\n");
            for (int i = 0; i < s.size(); i++) {
                w.write(Instant.ofEpochMilli(s.timestamps()[i])
                                .toString()
                                .replace('T', ' ')
                                .replace("Z", "") + "," + s.values()[i] + "," + (flags[i] ? "1.0" : "0.0") + ","
                        + (label[i] ? 1 : 0) + "\n");
            }
        }
    }

    /** The normalized score per profile, over the corpus and per category, and the counts behind the standard one. */
    static void print(List<LabelledSeries> series, Map<Profile, boolean[][]> detections) {
        Set<String> categories =
                series.stream().map(LabelledSeries::category).collect(Collectors.toCollection(TreeSet::new));
        System.out.printf(
                Locale.ROOT,
                "%-24s %10s %10s %10s %8s %8s %8s%n",
                "category",
                "standard",
                "low_FP",
                "low_FN",
                "windows",
                "detected",
                "fp");
        List<String> rows = new ArrayList<>(categories);
        rows.add("(all)");
        for (String category : rows) {
            List<Integer> chosen = new ArrayList<>();
            for (int i = 0; i < series.size(); i++) {
                if (category.equals("(all)") || series.get(i).category().equals(category)) {
                    chosen.add(i);
                }
            }
            double[] normalized = new double[Profile.ALL.size()];
            int windows = 0;
            int detected = 0;
            int fp = 0;
            for (int p = 0; p < Profile.ALL.size(); p++) {
                Profile profile = Profile.ALL.get(p);
                double raw = 0;
                int labelled = 0;
                for (int i : chosen) {
                    NabScorer.FileScore score =
                            NabScorer.score(series.get(i), detections.get(profile)[i], profile);
                    raw += score.score();
                    labelled += series.get(i).windows().size();
                    if (p == 0) {
                        windows += score.windows();
                        detected += score.detectedWindows();
                        fp += score.falsePositives();
                    }
                }
                normalized[p] = NabScorer.normalized(raw, labelled, profile);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%-24s %10.1f %10.1f %10.1f %8d %8d %8d%n",
                    category,
                    normalized[0],
                    normalized[1],
                    normalized[2],
                    windows,
                    detected,
                    fp);
        }
    }
}

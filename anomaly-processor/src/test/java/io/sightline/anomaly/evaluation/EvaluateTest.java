package io.sightline.anomaly.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The harness on a small generated corpus in NAB's layout (fixed seed): what CI runs instead of the benchmark itself. */
class EvaluateTest {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    static final LocalDateTime T0 = LocalDateTime.of(2024, 5, 1, 0, 0);

    @TempDir
    Path corpus;

    /** 2,000 five-minute rows of noise around 50 (sigma 2), with a +40 spike at each of {@code spikes}, a duplicate row at 700. */
    static String series(long seed, List<Integer> spikes) {
        Random random = new Random(seed);
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 2000; i++) {
            double v = 50 + 2 * random.nextGaussian() + (spikes.contains(i) ? 40 : 0);
            csv.append(T0.plusMinutes(5L * i).format(TIME))
                    .append(',')
                    .append(String.format(java.util.Locale.ROOT, "%.3f", v))
                    .append('\n');
            if (i == 700) {
                csv.append(T0.plusMinutes(5L * i).format(TIME)).append(",50.0\n");
            }
        }
        return csv.toString();
    }

    static String window(int row, int width) {
        return "[\"" + T0.plusMinutes(5L * (row - width / 2)).format(TIME) + ".000000\", \""
                + T0.plusMinutes(5L * (row + width / 2)).format(TIME) + ".000000\"]";
    }

    @Test
    void scoresAGeneratedCorpusAndWritesNabResults() throws Exception {
        Files.createDirectories(corpus.resolve("data/synthetic"));
        Files.createDirectories(corpus.resolve("labels"));
        Files.writeString(corpus.resolve("data/synthetic/spikes.csv"), series(7, List.of(800, 1500)));
        Files.writeString(corpus.resolve("data/synthetic/quiet.csv"), series(8, List.of()));
        Files.writeString(
                corpus.resolve("labels/combined_windows.json"),
                "{\"synthetic/spikes.csv\": [" + window(800, 40) + ", " + window(1500, 40)
                        + "], \"synthetic/quiet.csv\": []}");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new Evaluate())
                    .execute(
                            "--corpus",
                            corpus.toString(),
                            "--write-results",
                            corpus.resolve("results").toString(),
                            "--set",
                            "minVolume=0",
                            "--set",
                            "cooldown=100");
        } finally {
            System.setOut(stdout);
        }

        assertThat(exit).isZero();
        String all = out.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.startsWith("(all)"))
                .findFirst()
                .orElseThrow();
        String[] f = all.trim().split("\\s+");
        assertThat(Double.parseDouble(f[1])).as("standard score in %s", all).isGreaterThan(80);
        assertThat(Integer.parseInt(f[5])).as("windows detected in %s", all).isEqualTo(2);
        List<String> results = Files.readAllLines(corpus.resolve("results/synthetic/sightline_spikes.csv"));
        assertThat(results.get(0)).isEqualTo("timestamp,value,anomaly_score,label");
        assertThat(results).hasSize(2002);
        assertThat(results.stream().filter(l -> l.split(",")[2].equals("1.0")).count())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void theMedianStepIsTheSeriesWindow() {
        long minute = 60_000;
        assertThat(Evaluate.medianStep(
                        new long[] {0, minute, 2 * minute, 2 * minute, 3 * minute, 3 * minute + 5_000, 4 * minute}))
                .isEqualTo(minute);
    }
}

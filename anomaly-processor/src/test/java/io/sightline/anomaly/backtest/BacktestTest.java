package io.sightline.anomaly.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BacktestTest {

    @TempDir
    Path dir;

    @Test
    void shouldPrintDetectionsAndLabelMetricsAndWriteScores() throws Exception {
        StringBuilder csv = new StringBuilder("timestamp,value,label\n");
        for (int i = 0; i < 40; i++) {
            double value = i == 30 ? 90 : 10 + i % 3;
            csv.append(String.format("2024-05-01 00:%02d:00,%s,%d%n", i, value, i == 30 ? 1 : 0));
        }
        Path input = Files.writeString(dir.resolve("series.csv"), csv);
        Path scores = dir.resolve("scores.csv");

        String out = run("--csv", input.toString(), "--scores", scores.toString(), "--set", "minHistory=5");

        assertThat(out)
                .contains("2024-05-01T00:30:00Z firing")
                .contains("2024-05-01T00:32:00Z resolved")
                .contains(
                        "events 1, detected 1, firings 1 (true 1): precision 1.000 recall 1.000 f1 1.000, mean delay 0.00 windows");
        List<String> lines = Files.readAllLines(scores);
        assertThat(lines).hasSize(41).first().isEqualTo("timestamp,value,anomaly_score");
        assertThat(lines.get(31)).isEqualTo("2024-05-01T00:30:00Z,90.0,1.0000");
        assertThat(Double.parseDouble(lines.get(20).split(",")[2]))
                .as("a normal row")
                .isLessThan(0.1);
    }

    @Test
    void shouldRejectAnUnknownRuleKeyNamingIt() {
        String out = run("--csv", dir.resolve("none.csv").toString(), "--set", "sensitivty=3");

        assertThat(out).contains("unknown key 'sensitivty'");
    }

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            CommandLine cmd = new CommandLine(new Backtest());
            cmd.setErr(new java.io.PrintWriter(capture, true));
            cmd.setExecutionExceptionHandler((e, c, p) -> {
                capture.println(e.getMessage());
                return 1;
            });
            cmd.execute(args);
        } finally {
            System.setOut(previous);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

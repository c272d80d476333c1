package io.sightline.anomaly.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.anomaly.backtest.CsvSeries;
import io.sightline.anomaly.backtest.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A labelled corpus in NAB's layout: {@code data/<category>/<name>.csv}
 * ({@code timestamp,value}) and {@code labels/combined_windows.json} (anomaly windows as
 * {@code [start, end]} timestamps per file). Every row of a file is kept as NAB scores it,
 * duplicates included.
 */
public final class NabCorpus {

    private static final DateTimeFormatter LABEL_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS]", Locale.ROOT);

    private NabCorpus() {}

    /**
     * @param root       the corpus root, holding {@code data/} and {@code labels/}
     * @param categories only these categories, or all when empty
     */
    public static List<LabelledSeries> read(Path root, Set<String> categories) throws IOException {
        JsonNode labels = new ObjectMapper()
                .readTree(
                        root.resolve("labels").resolve("combined_windows.json").toFile());
        List<LabelledSeries> corpus = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            String category = name.contains("/") ? name.substring(0, name.indexOf('/')) : "";
            if (!categories.isEmpty() && !categories.contains(category)) {
                continue;
            }
            Path file = root.resolve("data").resolve(name);
            if (!Files.exists(file)) {
                throw new IOException("labels name " + name + ", which is not in " + root.resolve("data"));
            }
            corpus.add(series(name, category, CsvSeries.readAll(file), entry.getValue()));
        }
        corpus.sort(java.util.Comparator.comparing(LabelledSeries::name));
        return corpus;
    }

    static LabelledSeries series(String name, String category, List<Row> rows, JsonNode windows) {
        long[] timestamps = new long[rows.size()];
        double[] values = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            timestamps[i] = rows.get(i).timestamp();
            values[i] = rows.get(i).value();
        }
        List<LabelledSeries.Window> limits = new ArrayList<>();
        for (JsonNode window : windows) {
            long start = labelTime(window.get(0).asText());
            long end = labelTime(window.get(1).asText());
            int first = -1;
            int last = -1;
            for (int i = 0; i < timestamps.length; i++) {
                if (first < 0 && timestamps[i] >= start) {
                    first = i;
                }
                if (timestamps[i] <= end) {
                    last = i;
                }
            }
            if (first >= 0 && last >= first) {
                limits.add(new LabelledSeries.Window(first, last));
            }
        }
        return new LabelledSeries(name, category, timestamps, values, List.copyOf(limits));
    }

    static long labelTime(String text) {
        return LocalDateTime.parse(text, LABEL_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    }
}

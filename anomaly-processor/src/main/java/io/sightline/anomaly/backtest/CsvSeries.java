package io.sightline.anomaly.backtest;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@code timestamp,value[,label]} CSV: an optional header, timestamps as
 * ISO-8601 instants, {@code yyyy-MM-dd HH:mm:ss} (UTC, as in the NAB benchmark) or
 * epoch seconds or milliseconds; labels as 1/0 or true/false.
 */
public final class CsvSeries {

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd[ ]['T']HH:mm[:ss]", Locale.ROOT);

    private CsvSeries() {
    }

    public static List<Row> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(",");
            if (rows.isEmpty() && i == firstDataLine(lines) && !looksLikeTime(f[0])) {
                continue; // header
            }
            String where = file + " line " + (i + 1);
            if (f.length < 2) {
                throw new IllegalArgumentException(where + ": expected timestamp,value[,label]");
            }
            long ts = time(f[0].strip(), where);
            double value;
            try {
                value = Double.parseDouble(f[1].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": value '" + f[1] + "' is not a number");
            }
            Boolean label = f.length > 2 ? label(f[2].strip(), where) : null;
            if (!rows.isEmpty() && ts <= rows.get(rows.size() - 1).timestamp()) {
                throw new IllegalArgumentException(where + ": timestamps must increase");
            }
            rows.add(new Row(ts, value, label));
        }
        return rows;
    }

    public static void writeScores(Path file, List<Row> rows, double[] scores) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write("timestamp,value,anomaly_score\n");
            for (int i = 0; i < rows.size(); i++) {
                w.write(Instant.ofEpochMilli(rows.get(i).timestamp()) + "," + rows.get(i).value() + ","
                        + String.format(Locale.ROOT, "%.4f", scores[i]) + "\n");
            }
        }
    }

    private static int firstDataLine(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                return i;
            }
        }
        return -1;
    }

    private static boolean looksLikeTime(String s) {
        try {
            time(s.strip(), "");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static long time(String s, String where) {
        if (s.matches("\\d+")) {
            long n = Long.parseLong(s);
            return n < 100_000_000_000L ? n * 1000 : n;
        }
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(s, LOCAL).toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(where + ": timestamp '" + s + "' is neither ISO-8601, 'yyyy-MM-dd HH:mm:ss' nor epoch");
            }
        }
    }

    private static Boolean label(String s, String where) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes" -> true;
            case "0", "false", "no", "" -> false;
            default -> throw new IllegalArgumentException(where + ": label '" + s + "' is not 1/0 or true/false");
        };
    }
}

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
 * Reads a time series from CSV: a timestamp column and a value column (found by a header
 * naming them {@code timestamp}/{@code time}/{@code date} and {@code value}, else the first
 * two columns), and an optional {@code label} column (1/0, true/false). Timestamps may be
 * ISO-8601 instants, {@code yyyy-MM-dd HH:mm:ss} (UTC, as in the NAB benchmark) or epoch
 * seconds or milliseconds. A row that cannot be read is skipped and counted, never fatal.
 */
public final class CsvSeries {

    private static final DateTimeFormatter LOCAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd[ ]['T']HH:mm[:ss][.SSSSSS]", Locale.ROOT);
    private static final int PROBLEMS_KEPT = 5;

    /**
     * A series in time order with one row per timestamp, and what reading it took:
     * rows with a timestamp seen before were combined into it (values averaged, a label
     * kept if any row had it), rows older than the one before were skipped, and rows that
     * could not be read were skipped; the first few problems are named.
     */
    public record Read(
            List<Row> rows,
            int duplicatesCombined,
            int outOfOrderSkipped,
            int unreadableSkipped,
            List<String> problems) {

        /** One line for a person: what was combined or skipped, or empty when nothing was. */
        public String summary() {
            if (duplicatesCombined + outOfOrderSkipped + unreadableSkipped == 0) {
                return "";
            }
            return duplicatesCombined + " rows with a repeated timestamp combined, " + outOfOrderSkipped
                    + " out-of-order rows skipped, " + unreadableSkipped + " unreadable rows skipped"
                    + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")");
        }
    }

    private CsvSeries() {}

    /** The series in time order, one row per timestamp (see {@link Read}). */
    public static Read read(Path file) throws IOException {
        List<String> problems = new ArrayList<>();
        int[] unreadable = {0};
        List<Row> all = rows(file, problems, unreadable);
        List<Row> rows = new ArrayList<>(all.size());
        int combined = 0;
        int skipped = 0;
        int sameTime = 1;
        for (Row row : all) {
            Row last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
            if (last != null && row.timestamp() == last.timestamp()) {
                // a running mean over the rows of one timestamp
                sameTime++;
                double mean = last.value() + (row.value() - last.value()) / sameTime;
                Boolean label = last.label() == null && row.label() == null
                        ? null
                        : Boolean.TRUE.equals(last.label()) || Boolean.TRUE.equals(row.label());
                rows.set(rows.size() - 1, new Row(last.timestamp(), mean, label));
                combined++;
            } else if (last != null && row.timestamp() < last.timestamp()) {
                skipped++;
                note(problems, "row at " + Instant.ofEpochMilli(row.timestamp()) + " is older than the one before it");
            } else {
                rows.add(row);
                sameTime = 1;
            }
        }
        return new Read(rows, combined, skipped, unreadable[0], List.copyOf(problems));
    }

    /** Every readable row in file order, repeated timestamps included (as a benchmark's labels count them). */
    public static List<Row> readAll(Path file) throws IOException {
        return rows(file, new ArrayList<>(), new int[1]);
    }

    private static List<Row> rows(Path file, List<String> problems, int[] unreadable) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Row> rows = new ArrayList<>();
        int timeColumn = 0;
        int valueColumn = 1;
        int labelColumn = 2;
        boolean first = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (first) {
                first = false;
                if (!looksLikeTime(f[0]) && !looksLikeTime(f.length > 1 ? f[1] : "")) {
                    List<String> header = java.util.Arrays.stream(f)
                            .map(h -> h.strip().toLowerCase(Locale.ROOT).replace("\"", ""))
                            .toList();
                    timeColumn = firstOf(header, List.of("timestamp", "time", "date", "ts"), 0);
                    valueColumn = firstOf(header, List.of("value", "y", "count"), timeColumn == 0 ? 1 : 0);
                    labelColumn = header.indexOf("label");
                    continue;
                }
            }
            String where = "line " + (i + 1);
            try {
                long ts = time(f[timeColumn].strip(), where);
                double value = Double.parseDouble(f[valueColumn].strip());
                if (!Double.isFinite(value)) {
                    throw new IllegalArgumentException(
                            where + ": value '" + f[valueColumn] + "' is not a finite number");
                }
                Boolean label =
                        labelColumn >= 0 && labelColumn < f.length ? label(f[labelColumn].strip(), where) : null;
                rows.add(new Row(ts, value, label));
            } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
                unreadable[0]++;
                note(
                        problems,
                        e instanceof NumberFormatException
                                ? where + ": value is not a number"
                                : e instanceof ArrayIndexOutOfBoundsException
                                        ? where + ": expected a timestamp and a value"
                                        : e.getMessage());
            }
        }
        return rows;
    }

    private static int firstOf(List<String> header, List<String> names, int otherwise) {
        for (String name : names) {
            if (header.contains(name)) {
                return header.indexOf(name);
            }
        }
        return otherwise;
    }

    private static void note(List<String> problems, String problem) {
        if (problems.size() < PROBLEMS_KEPT) {
            problems.add(problem);
        }
    }

    public static void writeScores(Path file, List<Row> rows, double[] scores) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write("timestamp,value,anomaly_score\n");
            for (int i = 0; i < rows.size(); i++) {
                w.write(Instant.ofEpochMilli(rows.get(i).timestamp()) + ","
                        + rows.get(i).value() + "," + String.format(Locale.ROOT, "%.4f", scores[i]) + "\n");
            }
        }
    }

    private static boolean looksLikeTime(String s) {
        try {
            time(s.strip().replace("\"", ""), "");
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
                throw new IllegalArgumentException(
                        where + ": timestamp '" + s + "' is neither ISO-8601, 'yyyy-MM-dd HH:mm:ss' nor epoch");
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

package io.sightline.serving.http;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * Parses the {@code from} and {@code to} of a query. Clients (the dashboard, the
 * benchmark, {@code Instant.toString()}) send {@code 2024-05-01T12:00:00.123Z}; that
 * shape is read by hand, since {@link Instant#parse} goes through a general
 * {@code DateTimeFormatter} and was a visible share of a point lookup's CPU. Anything
 * else still goes to {@link Instant#parse}, which keeps its error for bad input.
 */
final class Instants {

    private Instants() {}

    static Instant parse(String s) {
        int n = s.length();
        // yyyy-MM-ddTHH:mm:ssZ is 20 characters; a fraction adds a dot and 1 to 9 digits.
        if (n < 20
                || n > 30
                || n == 21
                || s.charAt(n - 1) != 'Z'
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':'
                || (n > 20 && s.charAt(19) != '.')) {
            return Instant.parse(s);
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        int nanos = 0;
        if (n > 20) {
            nanos = digits(s, 20, n - 1);
            for (int i = n - 1 - 20; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > 31
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59
                || nanos < 0) {
            return Instant.parse(s); // not plain digits or out of range: let the JDK say what is wrong
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (java.time.DateTimeException e) {
            throw new DateTimeParseException("Text '" + s + "' could not be parsed: " + e.getMessage(), s, 0, e);
        }
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The number written in {@code s[from, to)}, or -1 when it is not all ASCII digits. */
    private static int digits(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}

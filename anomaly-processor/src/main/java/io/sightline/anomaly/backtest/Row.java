package io.sightline.anomaly.backtest;

/** One CSV row: window start (epoch millis), value, and the label if the file has one. */
public record Row(long timestamp, double value, Boolean label) {}

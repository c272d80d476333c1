package io.sightline.ingest.validation;

/**
 * Why one event was rejected: the field path (for example {@code batch[3].event}), the
 * reason, and a sentence saying what to fix.
 */
public record ValidationError(String field, ErrorCode code, String message) {}

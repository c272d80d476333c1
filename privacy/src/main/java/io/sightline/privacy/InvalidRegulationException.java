package io.sightline.privacy;

/** A regulation request that cannot be accepted: names the field to fix, never a subject id. */
public final class InvalidRegulationException extends IllegalArgumentException {

    private final String field;

    public InvalidRegulationException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}

package io.sightline.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.schemas.avro.RegulationType;
import io.sightline.schemas.avro.SubjectType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A request to regulate data subjects, in Segment's names so its tooling ports:
 * {@code {"regulationType": "SUPPRESS", "subjectType": "USER_ID", "subjectIds": [...]}}.
 * Checked whole before anything is written; errors name the field (and the index of a
 * bad id), never the id itself, which is personal data.
 */
public record RegulationRequest(RegulationType regulationType, SubjectType subjectType, List<String> subjectIds) {

    /** At most this many subjects per request, as Segment allows. */
    public static final int MAX_SUBJECTS = 5_000;
    /** A subject id longer than this is not an id an SDK sends. */
    public static final int MAX_ID_LENGTH = 256;

    private static final Set<String> FIELDS = Set.of("regulationType", "subjectType", "subjectIds");

    public RegulationRequest {
        subjectIds = List.copyOf(subjectIds);
    }

    public static RegulationRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidRegulationException("(body)", "the request must be a JSON object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new InvalidRegulationException(field, "unknown field; the fields are " + FIELDS);
            }
        }
        RegulationType type = enumValue(body, "regulationType", RegulationType.class);
        SubjectType subjectType = enumValue(body, "subjectType", SubjectType.class);
        JsonNode ids = body.path("subjectIds");
        if (!ids.isArray() || ids.isEmpty()) {
            throw new InvalidRegulationException("subjectIds", "a non-empty list of ids is required");
        }
        if (ids.size() > MAX_SUBJECTS) {
            throw new InvalidRegulationException(
                    "subjectIds", "has " + ids.size() + " ids; at most " + MAX_SUBJECTS + " per request");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            String field = "subjectIds[" + i + "]";
            if (!id.isTextual() || id.asText().isBlank()) {
                throw new InvalidRegulationException(field, "an id must be a non-empty string");
            }
            String value = id.asText();
            if (value.length() > MAX_ID_LENGTH) {
                throw new InvalidRegulationException(field, "an id has at most " + MAX_ID_LENGTH + " characters");
            }
            if (value.chars().anyMatch(Character::isISOControl)) {
                throw new InvalidRegulationException(field, "an id must not contain control characters");
            }
            unique.add(value);
        }
        return new RegulationRequest(type, subjectType, new ArrayList<>(unique));
    }

    private static <E extends Enum<E>> E enumValue(JsonNode body, String field, Class<E> type) {
        String allowed = Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
        JsonNode value = body.path(field);
        if (!value.isTextual()) {
            throw new InvalidRegulationException(field, "required, one of " + allowed);
        }
        try {
            return Enum.valueOf(type, value.asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidRegulationException(field, "'" + value.asText() + "' is not one of " + allowed);
        }
    }
}

package io.sightline.aggregate.definition;

import io.sightline.aggregate.topology.EventView;
import java.util.Set;

/**
 * The fields a dimension or condition can name: {@code event}, {@code type},
 * {@code source}, {@code device_class}, {@code os}, {@code browser}, {@code bot},
 * {@code country}, {@code region}, {@code city}, {@code group}, {@code locale},
 * {@code library}, and {@code properties.<key>}, {@code traits.<key>},
 * {@code product.<key>}, {@code group_traits.<key>}.
 */
public final class Dimensions {

    private static final Set<String> FIELDS = Set.of(
            "event",
            "type",
            "source",
            "device_class",
            "os",
            "browser",
            "bot",
            "country",
            "region",
            "city",
            "group",
            "locale",
            "library");
    private static final Set<String> PREFIXES = Set.of("properties", "traits", "product", "group_traits");

    private Dimensions() {}

    public static void check(String field) {
        int dot = field == null ? -1 : field.indexOf('.');
        boolean ok = field != null
                && (FIELDS.contains(field)
                        || (dot > 0 && dot < field.length() - 1 && PREFIXES.contains(field.substring(0, dot))));
        if (!ok) {
            throw new IllegalArgumentException(
                    "unknown field '" + field + "': use one of " + new java.util.TreeSet<>(FIELDS)
                            + " or properties.<key>, traits.<key>, product.<key>, group_traits.<key>");
        }
    }

    /** The field's value on {@code event} as text, null when absent. */
    public static String value(String field, EventView event) {
        return switch (field) {
            case "event" -> event.eventName();
            case "type" -> event.enriched().getEvent().getType().name();
            case "source" -> event.enriched().getEvent().getSource();
            case "device_class" -> event.enriched().getDeviceClass();
            case "os" -> event.enriched().getOsName();
            case "browser" -> event.enriched().getBrowserName();
            case "bot" -> Boolean.toString(event.enriched().getBot());
            case "country" -> event.enriched().getGeoCountry();
            case "region" -> event.enriched().getGeoRegion();
            case "city" -> event.enriched().getGeoCity();
            case "group" -> event.enriched().getGroupId();
            case "locale" ->
                event.enriched().getEvent().getContext() == null
                        ? null
                        : event.enriched().getEvent().getContext().getLocale();
            case "library" ->
                event.enriched().getEvent().getContext() == null
                        ? null
                        : event.enriched().getEvent().getContext().getLibraryName();
            default -> {
                int dot = field.indexOf('.');
                yield event.json(field.substring(0, dot), field.substring(dot + 1));
            }
        };
    }
}

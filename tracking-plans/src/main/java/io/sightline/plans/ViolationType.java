package io.sightline.plans;

import java.util.Locale;

/** The kinds of departure from a tracking plan; each has its own mode per source. */
public enum ViolationType {
    /** An event (or page, screen) name the plan does not list. */
    UNPLANNED_EVENT,
    /** A property or trait the plan requires is absent. */
    REQUIRED_MISSING,
    /** A value of another JSON type than planned. */
    TYPE_MISMATCH,
    /** A property the plan does not list, where it allows no others. */
    ADDITIONAL_PROPERTY,
    /** A value outside the plan's {@code enum} or {@code const}. */
    ENUM_MISMATCH,
    /** A value breaking a constraint: minimum, maximum, pattern, length, format and the like. */
    CONSTRAINT;

    /** The name used in settings, answers and records, e.g. {@code type_mismatch}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the valid codes */
    public static ViolationType ofCode(String code) {
        for (ViolationType t : values()) {
            if (t.code().equals(code)) {
                return t;
            }
        }
        throw new IllegalArgumentException("'" + code + "' is not a violation type; use one of " + codes());
    }

    public static String codes() {
        StringBuilder b = new StringBuilder();
        for (ViolationType t : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(t.code());
        }
        return b.toString();
    }
}

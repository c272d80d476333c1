package io.sightline.plans;

import java.util.Locale;

/** What the gateway does with an event that has a violation of one type, as Segment Protocols and RudderStack name it. */
public enum Mode {
    /** Keep the event as it is and record nothing. */
    ALLOW,
    /** Keep the event, attach the violation to it, count it and publish it to the violations topic. */
    FLAG,
    /** Keep the event without the offending property, and record the violation as for flag. */
    OMIT,
    /** Dead-letter the event with its violations and answer the producer why. */
    BLOCK;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the valid modes */
    public static Mode ofCode(String code) {
        for (Mode m : values()) {
            if (m.code().equals(code)) {
                return m;
            }
        }
        throw new IllegalArgumentException("'" + code + "' is not a mode; use one of allow, flag, omit, block");
    }
}

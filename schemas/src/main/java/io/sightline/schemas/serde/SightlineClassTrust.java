package io.sightline.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate classes outside its trusted packages, even its
 * own generated ones; this adds Sightline's generated records to the trusted set
 * once per JVM, so no service needs a system property to read its own topics.
 */
public final class SightlineClassTrust {

    private static final String PACKAGE_PREFIX = "io.sightline.";

    static {
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                previous, type -> type.getName().startsWith(PACKAGE_PREFIX)));
    }

    private SightlineClassTrust() {}

    /** Forces the static initializer; cheap after the first call. */
    public static void ensure() {}
}

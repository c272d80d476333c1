package io.sightline.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.schemas.avro.TrackedEvent;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaUpgradeTest {

    @TempDir
    Path dir;

    @Test
    void shouldCompileANextTrackedEventThatTheCurrentOneCanReadAndThatReadsIt() throws Exception {
        Path classes = SchemaUpgrade.compile(Path.of("../schemas/src/main/avro"), dir);

        try (URLClassLoader next = new ChildFirst(classes.toUri().toURL())) {
            Schema evolved = (Schema) next.loadClass(TrackedEvent.class.getName())
                    .getField("SCHEMA$")
                    .get(null);
            assertThat(evolved.getField(SchemaUpgrade.NEW_FIELD)).isNotNull();
            assertThat(TrackedEvent.SCHEMA$.getField(SchemaUpgrade.NEW_FIELD)).isNull();
            // BACKWARD: the new reader reads old data; and old readers read new data (what a rolling upgrade needs)
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(evolved, TrackedEvent.SCHEMA$)
                            .getType())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(TrackedEvent.SCHEMA$, evolved)
                            .getType())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        }
    }

    /** Loads the generated classes from their directory first, as a process with them first on its class path does. */
    private static final class ChildFirst extends URLClassLoader {

        ChildFirst(URL classes) {
            super(new URL[] {classes}, SchemaUpgradeTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && name.startsWith("io.sightline.schemas.avro.")) {
                    c = findClass(name);
                }
                return c != null ? c : super.loadClass(name, resolve);
            }
        }
    }
}

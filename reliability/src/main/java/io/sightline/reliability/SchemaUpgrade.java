package io.sightline.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParser;
import org.apache.avro.compiler.specific.SpecificCompiler;
import org.apache.avro.generic.GenericData;

/**
 * The next version of the event schemas, for the rolling-upgrade run: the project's Avro
 * schemas with a BACKWARD-compatible change to {@code TrackedEvent} (a new optional field
 * with a default), compiled to classes that, put first on a process's class path, make it
 * the new version. A new gateway then writes raw events with the new writer schema (a new
 * registry version), a new enrich processor embeds it in enriched events, and old readers
 * resolve both against the schema they were built with.
 */
public final class SchemaUpgrade {

    /** The field the new version adds to {@code TrackedEvent}. */
    public static final String NEW_FIELD = "consentState";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaUpgrade() {}

    /**
     * Writes the evolved schemas under {@code work}, generates and compiles their classes, and
     * answers the directory of the classes.
     *
     * @param schemas the project's schema directory ({@code schemas/src/main/avro})
     */
    public static Path compile(Path schemas, Path work) {
        try {
            Path avro = work.resolve("avro");
            Path sources = work.resolve("sources");
            Path classes = work.resolve("classes");
            List<Path> files;
            try (Stream<Path> all = Files.walk(schemas)) {
                files = all.filter(p -> p.toString().endsWith(".avsc")).toList();
            }
            if (files.stream().noneMatch(p -> p.getFileName().toString().equals("TrackedEvent.avsc"))) {
                throw new IllegalArgumentException("no TrackedEvent.avsc under " + schemas + " (--schemas-dir)");
            }
            List<Path> copied = new ArrayList<>();
            for (Path f : files) {
                Path target = avro.resolve(schemas.relativize(f).toString());
                Files.createDirectories(target.getParent());
                String text = Files.readString(f);
                Files.writeString(target, f.getFileName().toString().equals("TrackedEvent.avsc") ? evolve(text) : text);
                copied.add(target);
            }
            for (Schema schema : parseAll(copied)) {
                SpecificCompiler compiler = new SpecificCompiler(schema);
                compiler.setStringType(GenericData.StringType.String);
                compiler.setEnableDecimalLogicalType(true);
                compiler.compileToDestination(null, sources.toFile());
            }
            javac(sources, classes);
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the evolved schemas under " + work, e);
        }
    }

    /** {@code TrackedEvent} with one more optional field, defaulting to null: BACKWARD compatible. */
    static String evolve(String trackedEvent) throws IOException {
        ObjectNode schema = (ObjectNode) JSON.readTree(trackedEvent);
        ObjectNode field = ((ArrayNode) schema.get("fields")).addObject();
        field.put("name", NEW_FIELD);
        field.putArray("type").add("null").add("string");
        field.putNull("default");
        field.put("doc", "Added by the rolling-upgrade run: the consent state the device reported.");
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(schema);
    }

    /** Parses files that name each other's types, in any order: references resolve once all are read. */
    private static List<Schema> parseAll(List<Path> files) throws IOException {
        SchemaParser parser = new SchemaParser();
        for (Path f : files) {
            parser.parse(f);
        }
        return parser.getParsedNamedSchemas();
    }

    private static void javac(Path sources, Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("the rolling-upgrade run needs a JDK (javac), not a JRE");
        }
        Files.createDirectories(classes);
        List<String> args = new ArrayList<>(List.of(
                "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), "-nowarn", "-proc:none"));
        try (Stream<Path> all = Files.walk(sources)) {
            all.filter(p -> p.toString().endsWith(".java")).map(Path::toString).forEach(args::add);
        }
        StringWriter errors = new StringWriter();
        int rc = javac.run(
                null,
                null,
                new java.io.PrintStream(
                        new java.io.OutputStream() {
                            @Override
                            public void write(int b) {
                                errors.write(b);
                            }
                        },
                        true),
                args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("compiling the evolved schemas failed:\n" + errors);
        }
    }
}

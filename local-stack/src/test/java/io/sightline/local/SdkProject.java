package io.sightline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The JavaScript tracking libraries of {@code src/test/sdk}: installed with npm from the
 * pinned lock file into {@code target/sdk}, once per run, the browser ones bundled
 * with esbuild. Skips the tests that need it, saying why, where Node.js is missing.
 */
final class SdkProject {

    private static final Path SOURCE = Path.of("src", "test", "sdk");
    private static final Path INSTALLED = Path.of("target", "sdk");
    private static boolean ready;

    private SdkProject() {}

    /** Runs a Node script of the project with {@code args}; fails with its output unless it exits 0 within a minute. */
    static void node(String script, String... args) throws IOException, InterruptedException {
        nodeWithClockSkew(0, script, args);
    }

    /** As {@link #node}, with the process's clock {@code skewMillis} ahead (negative: behind), as on a device with a wrong clock. */
    static void nodeWithClockSkew(long skewMillis, String script, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", "--import", "./node/skewed-clock.mjs", script));
        command.addAll(List.of(args));
        run(install(), command, Map.of("CLOCK_SKEW_MS", Long.toString(skewMillis)), 60);
    }

    /** The folder of the browser bundles ({@code segment.js}, {@code rudderstack.js}). */
    static Path bundles() throws IOException {
        try {
            return install().resolve("dist");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while installing the SDK project", e);
        }
    }

    private static synchronized Path install() throws IOException, InterruptedException {
        if (ready) {
            return INSTALLED;
        }
        Assumptions.assumeTrue(
                works("node", "--version") && works("npm", "--version"),
                "Node.js and npm not installed: skipping the JavaScript tracking libraries");
        Files.createDirectories(INSTALLED);
        try (Stream<Path> files = Files.walk(SOURCE)) {
            for (Path from : files.filter(
                            p -> !p.startsWith(SOURCE.resolve("node_modules")) && !p.startsWith(SOURCE.resolve("dist")))
                    .toList()) {
                Path to = INSTALLED.resolve(SOURCE.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        run(INSTALLED, List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), Map.of(), 300);
        run(INSTALLED, List.of("npm", "run", "--silent", "bundle"), Map.of(), 120);
        ready = true;
        return INSTALLED;
    }

    private static void run(Path dir, List<String> command, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("sdk-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean exited = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(exited)
                .as("%s finished within %d s; output:%n%s", command, timeoutSeconds, output)
                .isTrue();
        assertThat(process.exitValue())
                .as("%s exit code; output:%n%s", command, output)
                .isZero();
    }

    private static boolean works(String... command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

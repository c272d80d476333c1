package io.sightline.testkit;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service's {@code main} in a child JVM, for fault tests that need what only a
 * separate process gives: a hard kill ({@code SIGKILL}, no shutdown hook, no final
 * commit). The child runs on this JVM's own class path with the given environment
 * (no inherited {@code SIGHTLINE_*} variables) and writes its output to a log file.
 * {@link #close()} kills it if it still runs, so a failing test leaves no process behind.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} in a child JVM with at most {@code maxHeap} heap
     * (for example {@code 512m}); its stdout and stderr go to {@code log}.
     */
    public static ServiceProcess start(Class<?> mainClass, Map<String, String> env, Path log, String maxHeap) {
        return start(mainClass.getSimpleName(), mainClass, List.of(), env, log, List.of("-Xmx" + maxHeap));
    }

    /**
     * Starts {@code mainClass} with {@code args} in a child JVM with {@code jvmOptions}, known
     * as {@code name} in failures; its stdout and stderr go to {@code log}.
     */
    public static ServiceProcess start(
            String name,
            Class<?> mainClass,
            List<String> args,
            Map<String, String> env,
            Path log,
            List<String> jvmOptions) {
        return start(name, mainClass, args, env, log, jvmOptions, List.of());
    }

    /**
     * As {@link #start(String, Class, List, Map, Path, List)}, with {@code classPathFirst} ahead of
     * this JVM's class path: classes there win, as a newer version of some of them would.
     */
    public static ServiceProcess start(
            String name,
            Class<?> mainClass,
            List<String> args,
            Map<String, String> env,
            Path log,
            List<String> jvmOptions,
            List<Path> classPathFirst) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> classPath = new ArrayList<>();
        classPathFirst.forEach(p -> classPath.add(p.toString()));
        classPath.add(System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), mainClass.getName()));
        command.addAll(args);
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("SIGHTLINE_"));
        builder.environment().putAll(env);
        try {
            return new ServiceProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + mainClass.getName() + " in a child JVM", e);
        }
    }

    /** Waits until the child's log contains {@code line}, or fails naming the log after {@code timeout}. */
    public void awaitLog(String line, Duration timeout) {
        await().alias(name + " logs '" + line + "' (see " + log + ")")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(
                                name + " exited with " + process.exitValue() + ":\n" + logText());
                    }
                    return logText().contains(line);
                });
    }

    /** Kills the child at once (SIGKILL): no shutdown hook runs, nothing is flushed or committed. */
    public void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    /** Stops the child gracefully (SIGTERM): its shutdown hook closes the service. */
    public void stop() {
        process.destroy();
        waitForExit();
    }

    /** Freezes the child (SIGSTOP), as a long GC pause or a stalled VM would: it holds its sockets and does nothing. */
    public void pause() {
        signal("STOP");
    }

    /** Lets a child frozen by {@link #pause()} run on (SIGCONT). */
    public void resume() {
        signal("CONT");
    }

    public long pid() {
        return process.pid();
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed for " + name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send SIG" + signal + " to " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " did not exit within 60 s; killed it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

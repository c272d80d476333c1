package io.sightline.local;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Prometheus Alertmanager (the Debian package's binary), started on a free port
 * with a receiver that drops notifications: tests read what it holds through its API.
 */
final class AlertmanagerProcess implements AutoCloseable {

    private static final List<String> BINARIES = List.of("/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager");

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private AlertmanagerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The installed binary, if any (CI installs the Debian package prometheus-alertmanager). */
    static Optional<Path> binary() {
        return BINARIES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }

    static AlertmanagerProcess start(Path dir) throws Exception {
        Path binary = binary().orElseThrow(() -> new IllegalStateException("no Alertmanager binary in " + BINARIES));
        Files.createDirectories(dir);
        Path config = Files.writeString(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: quiet
                  group_wait: 1s
                receivers:
                  - name: quiet
                """);
        int port = freePort();
        Process process = new ProcessBuilder(
                        binary.toString(),
                        "--config.file=" + config,
                        "--storage.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--cluster.listen-address=")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("alertmanager.log").toFile())
                .start();
        AlertmanagerProcess alertmanager = new AlertmanagerProcess(process, port);
        URI ready = URI.create(alertmanager.url() + "/-/ready");
        try {
            // a process that exits (bad flags, port taken) stops the wait at once
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> !process.isAlive() || Stack.answersOk(alertmanager.http, ready));
        } catch (ConditionTimeoutException e) {
            // reported below with the log's path
        }
        if (!process.isAlive() || !Stack.answersOk(alertmanager.http, ready)) {
            alertmanager.close();
            throw new IllegalStateException("Alertmanager did not start; see " + dir.resolve("alertmanager.log"));
        }
        return alertmanager;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The alerts Alertmanager holds, as its API answers them (JSON). */
    String alerts() throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(url() + "/api/v2/alerts"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

package io.sightline.reliability;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One reliability run: the cluster in processes, paced load through both gateways,
 * queries throughout, the faults of a profile, then drain and verify. Prints the fault
 * log and the verdict as Markdown tables and writes them to {@code <data-dir>/report.md}.
 *
 * <p>Usage: {@code ReliabilityRun [--profile short|full] [--guarantee exactly_once_v2|at_least_once]
 * [--rate 200] [--data-dir DIR] [--set SIGHTLINE_X=value ...]
 * [--kafka-feature transaction.version=1 ...]}. Exits 0 when the verifier passes, 1 when not.
 */
public final class ReliabilityRun {

    /**
     * What to run: {@code short} is one broker kill and one instance kill (CI); {@code full} is every fault;
     * {@code upgrade} rolls every instance onto a BACKWARD-compatible next version of the event schema
     * (compiled from {@code schemasDir}), one gateway first, then each processor instance, then the other gateway.
     * {@code settings} go to every service on top of the run's own, to try the same faults with a setting changed;
     * {@code kafkaFeatures} set the cluster's feature levels before the services start (e.g. transactions v1).
     */
    public record Options(
            String profile,
            String guarantee,
            double rate,
            Path dataDir,
            Path schemasDir,
            Map<String, String> settings,
            Map<String, Short> kafkaFeatures) {

        static Options parse(String[] args) {
            Map<String, String> a = new HashMap<>();
            Map<String, String> settings = new TreeMap<>();
            Map<String, Short> features = new TreeMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --option value, got " + args[i]);
                }
                if (args[i].equals("--set")) {
                    String[] kv = args[i + 1].split("=", 2);
                    if (kv.length != 2 || !kv[0].startsWith("SIGHTLINE_")) {
                        throw new IllegalArgumentException("--set takes SIGHTLINE_NAME=value, not " + args[i + 1]);
                    }
                    settings.put(kv[0], kv[1]);
                } else if (args[i].equals("--kafka-feature")) {
                    String[] kv = args[i + 1].split("=", 2);
                    if (kv.length != 2 || !kv[1].matches("\\d+")) {
                        throw new IllegalArgumentException(
                                "--kafka-feature takes name=level, e.g. transaction.version=1, not " + args[i + 1]);
                    }
                    features.put(kv[0], Short.parseShort(kv[1]));
                } else {
                    a.put(args[i].substring(2), args[i + 1]);
                }
            }
            String profile = a.getOrDefault("profile", "full");
            if (!List.of("short", "full", "upgrade").contains(profile)) {
                throw new IllegalArgumentException("--profile must be short, full or upgrade, not " + profile);
            }
            return new Options(
                    profile,
                    a.getOrDefault("guarantee", "exactly_once_v2"),
                    Double.parseDouble(a.getOrDefault("rate", "200")),
                    Path.of(a.getOrDefault("data-dir", "target/reliability-" + System.currentTimeMillis())),
                    Path.of(a.getOrDefault("schemas-dir", "schemas/src/main/avro")),
                    Map.copyOf(settings),
                    Map.copyOf(features));
        }
    }

    /** A finished run: the faults as they happened, the verdict, the gateways' and the queries' answers. */
    public record Report(
            Options options,
            List<FaultScript.Fault> faults,
            Verifier.Verdict verdict,
            Map<String, Long> gatewayAnswers,
            Map<String, Long> queryAnswers,
            double drainSeconds,
            Map<String, Integer> schemaVersions) {

        public String markdown() {
            StringBuilder out = new StringBuilder();
            out.append(String.format(
                    Locale.ROOT,
                    "Profile %s, %s, %.0f events/s%n%n",
                    options.profile(),
                    options.guarantee(),
                    options.rate()));
            if (!options.kafkaFeatures().isEmpty()) {
                out.append("Kafka feature levels: ")
                        .append(options.kafkaFeatures())
                        .append("\n\n");
            }
            if (!options.settings().isEmpty()) {
                out.append("Settings changed for every service: ")
                        .append(options.settings())
                        .append("\n\n");
            }
            out.append("| time | fault | action | recovered in |\n|---|---|---|---|\n");
            for (FaultScript.Fault f : faults) {
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %s | %.1f s |%n",
                        f.at().toString().substring(11, 19),
                        f.fault(),
                        f.action(),
                        f.recoverySeconds()));
            }
            Verifier.Verdict v = verdict;
            out.append("\n| check | result |\n|---|---|\n");
            row(out, "events acknowledged (200)", v.acked());
            row(out, "events answered 503/timeout but stored", v.ambiguousStored());
            row(out, "stored events lost (raw or enriched)", v.lost());
            row(out, "duplicates in events.raw.v1", v.rawDuplicates());
            row(out, "duplicates in events.enriched.v1", v.enrichedDuplicates());
            row(out, "metric windows recounted", v.windows());
            row(
                    out,
                    "metric windows miscounted (of them above the recount)",
                    v.miscounted().size() + " (" + v.overcounted() + ")");
            row(out, "alert records / duplicated", v.alerts() + " / " + v.duplicatedAlerts());
            row(out, "query answers above the recount", v.wrongAnswers().size());
            row(out, "gateway answers (events)", gatewayAnswers);
            row(out, "query answers by status", queryAnswers);
            row(out, "drained in", String.format(Locale.ROOT, "%.1f s", drainSeconds));
            if (!schemaVersions.isEmpty()) {
                row(out, "schema versions in the registry", schemaVersions);
            }
            row(out, "verdict", v.passed() ? "PASS" : "FAIL");
            v.examples(10).forEach(e -> out.append("\n- ").append(e));
            return out.append('\n').toString();
        }

        private static void row(StringBuilder out, String check, Object value) {
            out.append("| ").append(check).append(" | ").append(value).append(" |\n");
        }
    }

    private ReliabilityRun() {}

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        Report report = run(options, System.out::println);
        String markdown = report.markdown();
        System.out.println(markdown);
        Files.writeString(options.dataDir().resolve("report.md"), markdown);
        System.exit(report.verdict().passed() ? 0 : 1);
    }

    public static Report run(Options options, Consumer<String> progress) throws IOException {
        Files.createDirectories(options.dataDir());
        Path metrics = options.dataDir().resolve("metrics.yaml");
        try (InputStream in = ReliabilityRun.class.getResourceAsStream("/reliability-metrics.yaml")) {
            Files.copy(in, metrics, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Map<String, String> settings = new HashMap<>(Map.of(
                "SIGHTLINE_METRICS_DEFINITIONS_FILE", metrics.toString(),
                "SIGHTLINE_PROCESSING_GUARANTEE", options.guarantee(),
                "SIGHTLINE_KAFKA_COMMIT_INTERVAL_MS", "200",
                // A frozen or killed instance loses its tasks within seconds, not the default 45 s.
                "SIGHTLINE_KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000",
                "SIGHTLINE_KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "1500",
                "SIGHTLINE_RATE_LIMIT_EVENTS_PER_SECOND", "0"));
        settings.putAll(options.settings());
        Path upgrade = options.profile().equals("upgrade")
                ? SchemaUpgrade.compile(options.schemasDir(), options.dataDir().resolve("upgrade"))
                : null;
        Instant began = Instant.now();
        try (ClusterProcesses cluster =
                        ClusterProcesses.start(options.dataDir(), 3, 2, settings, options.kafkaFeatures(), progress);
                EventLoad load = new EventLoad(
                        () -> cluster.instances("gateway").stream()
                                .map(cluster::url)
                                .toList(),
                        ClusterProcesses.WRITE_KEY,
                        10,
                        42);
                QueryProbe queries = new QueryProbe(
                        () -> cluster.instances("serving-api").stream()
                                .map(cluster::url)
                                .toList(),
                        "rel_events",
                        began.minusSeconds(120))) {
            // Stopped by a signal, the run takes its processes with it.
            Thread cleanup = new Thread(cluster::close, "reliability-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            load.start(options.rate());
            await().alias("load under way and its first windows served")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> load.acked() >= options.rate() * 5 && queries.answersNow());
            queries.start(Duration.ofMillis(300));
            FaultScript faults = new FaultScript(cluster, load, progress);
            switch (options.profile()) {
                case "short" -> {
                    faults.killRawLeader(Duration.ofSeconds(10));
                    faults.killInstance("aggregate-processor");
                }
                case "upgrade" -> rollingUpgrade(faults, cluster, upgrade);
                default -> full(faults);
            }
            load.stop(Duration.ofSeconds(30));
            progress.accept("Load stopped: " + load.answers() + "; draining");
            long draining = System.nanoTime();
            Verifier verifier = new Verifier(cluster.bootstrapServers(), cluster.registryUrl());
            AtomicReference<Verifier.Verdict> verdict = new AtomicReference<>();
            try {
                await().alias("pipeline drained: every window as recounted")
                        .atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(3))
                        .until(() -> {
                            verdict.set(verifier.verify(load, queries.largestAnswered()));
                            return verdict.get().miscounted().isEmpty()
                                    && verdict.get().lost() == 0;
                        });
            } catch (ConditionTimeoutException e) {
                progress.accept("Not drained within 3 minutes; judging what is there");
            }
            double drainSeconds = (System.nanoTime() - draining) / 1e9;
            queries.close();
            Verifier.Verdict last = verifier.verify(load, queries.largestAnswered());
            Map<String, Integer> versions = upgrade == null
                    ? Map.of()
                    : Map.of(
                            "events.raw.v1-value", versions(cluster, "events.raw.v1-value"),
                            "events.enriched.v1-value", versions(cluster, "events.enriched.v1-value"));
            return new Report(options, faults.log(), last, load.answers(), queries.statuses(), drainSeconds, versions);
        }
    }

    /** One gateway, then every processor and serving instance one at a time, then the other gateway. */
    private static void rollingUpgrade(FaultScript faults, ClusterProcesses cluster, Path classes) {
        faults.upgrade("gateway-2", classes);
        for (String application : ClusterProcesses.APPLICATIONS) {
            for (String instance : cluster.instances(application)) {
                faults.upgrade(instance, classes);
            }
        }
        faults.upgrade("gateway-1", classes);
    }

    /** How many versions the registry holds under {@code subject}: 2 once the new version wrote. */
    private static int versions(ClusterProcesses cluster, String subject) {
        try {
            java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                            cluster.registryUrl() + "/subjects/" + subject + "/versions"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200
                    ? new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(answer.body())
                            .size()
                    : 0;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Every fault of the list, in order. */
    private static void full(FaultScript faults) {
        for (int i = 0; i < 5; i++) {
            faults.killRawLeader(Duration.ofSeconds(10));
        }
        List<String> applications = new ArrayList<>(ClusterProcesses.APPLICATIONS);
        applications.forEach(faults::killInstance);
        faults.pauseInstance("enrich-processor", Duration.ofSeconds(12));
        faults.pauseInstance("aggregate-processor", Duration.ofSeconds(12));
        for (String application : applications) {
            faults.scale(application, 3);
            faults.scale(application, 1);
            faults.scale(application, 2);
        }
        faults.rollServing();
    }
}

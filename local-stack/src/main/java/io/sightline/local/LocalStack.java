package io.sightline.local;

import io.sightline.configuration.ConfigurationCatalog;
import io.sightline.local.demo.DemoTraffic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/sightline-local}: the whole pipeline on this machine, real Kafka included. */
@Command(
        name = "sightline-local",
        mixinStandardHelpOptions = true,
        description =
                "Runs a Kafka broker (KRaft), the schema registry and all five Sightline services in one process.")
public final class LocalStack implements Callable<Integer> {

    @Option(names = "--demo", description = "Also post demo traffic so the dashboards have data.")
    boolean demo;

    @Option(
            names = "--data-dir",
            defaultValue = "${env:SIGHTLINE_DATA_DIR:-.sightline-data}",
            description =
                    "Where Kafka's log and the services' state live (default: ${DEFAULT-VALUE}); kept across restarts.")
    Path dataDir;

    @Option(
            names = "--write-key",
            defaultValue = "${env:SIGHTLINE_LOCAL_WRITE_KEY:-local-dev-key}",
            description = "Write key the gateway accepts (default: ${DEFAULT-VALUE}).")
    String writeKey;

    @Option(
            names = "--kafka-port",
            defaultValue = "9092",
            description = "Kafka client port (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(
            names = "--registry-port",
            defaultValue = "8090",
            description = "Schema registry port (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(
            names = "--gateway-port",
            defaultValue = "8080",
            description = "Ingest gateway port (default: ${DEFAULT-VALUE}).")
    int gatewayPort;

    @Option(
            names = "--serving-port",
            defaultValue = "8081",
            description = "Serving API port (default: ${DEFAULT-VALUE}).")
    int servingPort;

    @Option(
            names = "--enrich-port",
            defaultValue = "8082",
            description = "Enrich processor health/metrics port (default: ${DEFAULT-VALUE}).")
    int enrichPort;

    @Option(
            names = "--aggregate-port",
            defaultValue = "8083",
            description = "Aggregate processor health/metrics port (default: ${DEFAULT-VALUE}).")
    int aggregatePort;

    @Option(
            names = "--anomaly-port",
            defaultValue = "8084",
            description = "Anomaly processor health/metrics port (default: ${DEFAULT-VALUE}).")
    int anomalyPort;

    @Option(
            names = "--archiver-port",
            defaultValue = "8085",
            description = "Archiver health/metrics port (default: ${DEFAULT-VALUE}).")
    int archiverPort;

    @Option(
            names = "--config",
            defaultValue = "${env:SIGHTLINE_CONFIG_FILE}",
            description =
                    "A YAML configuration file for every service (see docs/configuration.md); environment variables win over it.")
    Path config;

    @Option(
            names = "--ready-timeout",
            defaultValue = "PT3M",
            description = "How long to wait for every service to be ready (default: ${DEFAULT-VALUE}).")
    Duration readyTimeout;

    @Override
    public Integer call() throws Exception {
        long startNanos = System.nanoTime();
        Stack.Ports ports = new Stack.Ports(
                kafkaPort,
                registryPort,
                gatewayPort,
                servingPort,
                enrichPort,
                aggregatePort,
                anomalyPort,
                archiverPort);
        Map<String, String> settings = ConfigurationCatalog.resolve(config, System.getenv(), List.of());
        Stack stack = Stack.start(
                dataDir.toAbsolutePath(),
                ports,
                writeKey,
                settings,
                readyTimeout,
                line -> System.out.println("» " + line));
        DemoTraffic traffic = demo ? new DemoTraffic(stack.url("ingest-gateway"), writeKey) : null;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("» Stopping Sightline...");
                            if (traffic != null) {
                                traffic.close();
                            }
                            stack.close();
                            System.out.println("» Stopped.");
                            stopped.countDown();
                        },
                        "shutdown"));

        String gateway = stack.url("ingest-gateway");
        String serving = stack.url("serving-api");
        System.out.printf(
                """

                Sightline is ready (%.1f s).
                  Tracking API (ingest-gateway)  %s   write key: %s
                  Serving API                    %s/v1/metrics/event_count
                  Alerts                         %s/v1/alerts
                  Schema registry                %s
                  Kafka bootstrap                %s
                  Health and metrics             /health/live, /health/ready, /metrics on every port above
                                                 (enrich %s, aggregate %s, anomaly %s)

                Try it:
                  curl -u %s: -H 'Content-Type: application/json' -d '{"event":"Signed Up","userId":"u-1"}' %s/v1/track
                  curl '%s/v1/metrics/event_count?event=Signed%%20Up'

                Stop with Ctrl-C.
                ready
                %n""",
                (System.nanoTime() - startNanos) / 1e9,
                gateway,
                writeKey,
                serving,
                serving,
                stack.url("schema-registry"),
                stack.bootstrapServers(),
                stack.url("enrich-processor"),
                stack.url("aggregate-processor"),
                stack.url("anomaly-processor"),
                writeKey,
                gateway,
                serving);
        if (traffic != null) {
            traffic.start();
        }
        stopped.await();
        return 0;
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new LocalStack());
        cli.registerConverter(Duration.class, Duration::parse);
        int exit = cli.execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }
}

package io.sightline.deploy;

import io.sightline.aggregate.AggregateService;
import io.sightline.anomaly.AnomalyService;
import io.sightline.archive.ArchiverService;
import io.sightline.common.config.ConfigFile;
import io.sightline.configuration.ConfigurationCatalog;
import io.sightline.enrich.EnrichService;
import io.sightline.ingest.IngestGateway;
import io.sightline.plans.cli.PlanCommand;
import io.sightline.registry.SchemaRegistryServer;
import io.sightline.serving.ServingApi;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigException;

/**
 * The container image's entry point: {@code sightline <service>} runs one service (or
 * {@code sightline plan draft ...}, the tracking-plan tool),
 * configured, like everywhere else, by its {@code SIGHTLINE_*} environment variables.
 * One image for every service keeps the deployment to one build and one tag.
 */
public final class Launcher {

    /** Service name (as used in docker-compose.yml and the Helm chart) to its main method. */
    public static final Map<String, Consumer<String[]>> SERVICES;

    static {
        Map<String, Consumer<String[]>> services = new LinkedHashMap<>();
        services.put("ingest-gateway", IngestGateway::main);
        services.put("enrich-processor", EnrichService::main);
        services.put("aggregate-processor", AggregateService::main);
        services.put("anomaly-processor", AnomalyService::main);
        services.put("serving-api", ServingApi::main);
        services.put("archiver", ArchiverService::main);
        services.put("schema-registry", SchemaRegistryServer::main);
        services.put("create-topics", TopicCreator::main);
        services.put("plan", PlanCommand::main);
        SERVICES = java.util.Collections.unmodifiableMap(services);
    }

    private Launcher() {}

    public static void main(String[] args) {
        String usage = "usage: sightline <service>, where <service> is one of " + String.join(", ", SERVICES.keySet());
        if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
            System.out.println(usage);
            return;
        }
        Consumer<String[]> service = args.length == 0 ? null : SERVICES.get(args[0]);
        if (service == null) {
            System.err.println(usage);
            System.exit(2);
            return;
        }
        if (!"plan".equals(args[0])) {
            try {
                // A misspelled setting stops here, naming the closest valid one, before any service starts with its
                // default.
                String file = System.getenv(ConfigFile.CONFIG_FILE_ENV);
                ConfigurationCatalog.resolve(
                        file == null || file.isBlank() ? null : Path.of(file),
                        System.getenv(),
                        List.of(TopicsConfig.DEFINITION));
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                System.exit(2);
                return;
            }
        }
        service.accept(Arrays.copyOfRange(args, 1, args.length));
    }
}

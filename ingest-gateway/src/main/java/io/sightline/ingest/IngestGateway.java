package io.sightline.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sightline.common.audit.AuditLog;
import io.sightline.common.config.ConfigFile;
import io.sightline.common.health.HealthCheck;
import io.sightline.common.http.AccessTokens;
import io.sightline.common.http.HttpService;
import io.sightline.common.http.Scope;
import io.sightline.common.metrics.ServiceMetrics;
import io.sightline.ingest.catalog.CatalogObserver;
import io.sightline.ingest.catalog.CatalogReporter;
import io.sightline.ingest.http.AdminAccess;
import io.sightline.ingest.http.AuditRoutes;
import io.sightline.ingest.http.RegulationRoutes;
import io.sightline.ingest.http.RetentionRoutes;
import io.sightline.ingest.http.SourceSettingsRoute;
import io.sightline.ingest.http.TrackingPlanRoutes;
import io.sightline.ingest.http.TrackingRoutes;
import io.sightline.ingest.http.WriteKeyAuth;
import io.sightline.ingest.intake.EventIntake;
import io.sightline.ingest.intake.IntakeMetrics;
import io.sightline.ingest.kafka.EventProducer;
import io.sightline.ingest.plans.PlanChangeCheck;
import io.sightline.ingest.plans.PlanEnforcer;
import io.sightline.ingest.plans.RecentEvents;
import io.sightline.plans.TrackingPlanFeed;
import io.sightline.plans.TrackingPlanStore;
import io.sightline.privacy.PiiSettings;
import io.sightline.privacy.RegulationFeed;
import io.sightline.privacy.RetentionInForce;
import io.sightline.privacy.SuppressionList;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.ErasureReceipt;
import io.sightline.schemas.avro.EventCatalogEntry;
import io.sightline.schemas.avro.QualityViolation;
import io.sightline.schemas.avro.RegulationStatus;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.avro.TrackingPlanVersion;
import io.sightline.schemas.registry.RestSchemaRegistryClient;
import io.sightline.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ingest gateway service: the tracking API in front of {@code events.raw.v1}. */
public final class IngestGateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngestGateway.class);

    private final EventProducer producer;
    private final TrackingPlanFeed plans;
    private final RegulationFeed regulations;
    private final CatalogReporter catalog;
    private final HttpService http;
    private final TrackingRoutes routes;
    private final AuditLog audit;
    private final Duration drainTimeout;

    private IngestGateway(
            EventProducer producer,
            TrackingPlanFeed plans,
            RegulationFeed regulations,
            CatalogReporter catalog,
            HttpService http,
            TrackingRoutes routes,
            AuditLog audit,
            Duration drainTimeout) {
        this.producer = producer;
        this.plans = plans;
        this.regulations = regulations;
        this.catalog = catalog;
        this.http = http;
        this.routes = routes;
        this.audit = audit;
        this.drainTimeout = drainTimeout;
    }

    public static IngestGateway start(GatewayConfig config) {
        SchemaRegistryClient registry = new RestSchemaRegistryClient(
                config.schemaRegistryUrl(), config.schemaRegistryUserInfo(), Duration.ofSeconds(10));
        // Register up front: a registry that is missing or refuses our schemas fails start-up, not the first request.
        registry.register(SchemaRegistryClient.valueSubject(Topics.EVENTS_RAW), TrackedEvent.getClassSchema());
        registry.register(SchemaRegistryClient.valueSubject(Topics.EVENTS_INVALID), DeadLetter.getClassSchema());
        registry.register(
                SchemaRegistryClient.valueSubject(Topics.QUALITY_VIOLATIONS), QualityViolation.getClassSchema());
        registry.register(
                SchemaRegistryClient.valueSubject(Topics.QUALITY_PLANS), TrackingPlanVersion.getClassSchema());
        registry.register(
                SchemaRegistryClient.valueSubject(Topics.QUALITY_OBSERVATIONS), EventCatalogEntry.getClassSchema());

        PrometheusMeterRegistry metrics = ServiceMetrics.create("ingest-gateway");
        EventProducer producer = new EventProducer(
                config.kafkaClientProperties(), registry, Duration.ofMillis(config.ackTimeoutMs()), metrics);
        TrackingPlanStore planStore = new TrackingPlanStore();
        TrackingPlanFeed plans =
                new TrackingPlanFeed(config.kafkaClientProperties(), registry, planStore, "ingest-gateway");
        registry.register(
                SchemaRegistryClient.valueSubject(Topics.PRIVACY_REGULATIONS), SubjectRegulation.getClassSchema());
        registry.register(
                SchemaRegistryClient.valueSubject(Topics.PRIVACY_REGULATION_STATUS), RegulationStatus.getClassSchema());
        registry.register(
                SchemaRegistryClient.valueSubject(Topics.PRIVACY_ERASURE_RECEIPTS), ErasureReceipt.getClassSchema());
        SuppressionList suppressions = new SuppressionList();
        RegulationFeed regulations =
                new RegulationFeed(config.kafkaClientProperties(), registry, suppressions, "ingest-gateway");
        HealthCheck health = new HealthCheck() {
            @Override
            public boolean isLive() {
                return true;
            }

            @Override
            public boolean isReady() {
                // Events of a source with a plan must not pass unchecked while the plans load,
                // nor events of a suppressed subject while the regulations load.
                return producer.isHealthy() && plans.isLoaded() && regulations.isLoaded();
            }

            @Override
            public Map<String, Object> details() {
                return Map.of(
                        "kafkaWrites",
                        producer.isHealthy() ? "ok" : "failing",
                        "trackingPlans",
                        plans.isLoaded() ? "loaded" : "loading",
                        "regulations",
                        regulations.isLoaded() ? "loaded" : "loading");
            }
        };
        RecentEvents recent = new RecentEvents();
        PlanEnforcer enforcer = new PlanEnforcer(config.planBindings(), planStore, recent, metrics);
        CatalogObserver observer = new CatalogObserver();
        Gauge.builder("sightline.ingest.suppressed.subjects", suppressions, SuppressionList::size)
                .description("Data subjects (user ids and anonymous ids) whose events this gateway drops")
                .register(metrics);
        Gauge.builder("sightline.ingest.catalog.overflow", observer, CatalogObserver::overflow)
                .description(
                        "Observations left out of the event catalog because it holds the most event names or properties it keeps")
                .register(metrics);
        CatalogReporter catalog = new CatalogReporter(observer, producer, Duration.ofMillis(config.catalogReportMs()));
        IntakeMetrics intakeMetrics = new IntakeMetrics(metrics);
        TrackingRoutes routes = new TrackingRoutes(
                config,
                new EventIntake(
                        config.maxEventBytes(),
                        producer,
                        enforcer,
                        observer,
                        regulations.suppressions(),
                        PiiSettings.hasher(config),
                        intakeMetrics),
                intakeMetrics);
        AccessTokens tokens = AccessTokens.parse(
                config.accessTokens(),
                Map.of("admin", new AccessTokens.LegacyTokens(config.adminTokens(), Set.of(Scope.ADMIN))),
                false);
        AuditLog audit = new AuditLog("ingest-gateway", new Topics(registry), config.kafkaClientProperties());
        AdminAccess adminAccess = new AdminAccess(tokens, audit);
        TrackingPlanRoutes planRoutes = new TrackingPlanRoutes(
                planStore, plans, config.planBindings(), new PlanChangeCheck(config.planBindings(), recent));
        SourceSettingsRoute settings = new SourceSettingsRoute(new WriteKeyAuth(config.sourcesByWriteKey()));
        RetentionInForce retention = new RetentionInForce(config.kafkaClientProperties());
        RegulationRoutes regulationRoutes = new RegulationRoutes(regulations, retention);
        RetentionRoutes retentionRoutes = new RetentionRoutes(retention);
        AuditRoutes auditRoutes = new AuditRoutes(audit);
        HttpService http = HttpService.start("ingest-gateway", config, metrics, health, javalin -> {
            routes.addTo(javalin);
            adminAccess.addTo(javalin);
            planRoutes.addTo(javalin);
            regulationRoutes.addTo(javalin);
            retentionRoutes.addTo(javalin);
            auditRoutes.addTo(javalin);
            settings.addTo(javalin);
        });
        return new IngestGateway(
                producer,
                plans,
                regulations,
                catalog,
                http,
                routes,
                audit,
                Duration.ofMillis(config.shutdownDrainMs()));
    }

    public int port() {
        return http.port();
    }

    @Override
    public void close() {
        // Graceful: refuse new connections, let requests being served get their acknowledgement, then stop.
        http.stopAccepting();
        if (!routes.drain(drainTimeout)) {
            log.warn(
                    "Requests still running after {} ms of draining; stopping anyway (see SIGHTLINE_SHUTDOWN_DRAIN_MS)",
                    drainTimeout.toMillis());
        }
        http.close();
        catalog.close();
        plans.close();
        regulations.close();
        audit.close();
        producer.close();
    }

    public static void main(String[] args) {
        IngestGateway gateway = start(new GatewayConfig(ConfigFile.withEnvironment(System.getenv())));
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "shutdown"));
        log.info("Ingest gateway ready on port {}", gateway.port());
    }
}

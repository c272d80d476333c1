package io.sightline.schemas;

import io.sightline.schemas.avro.Alert;
import io.sightline.schemas.avro.AuditEntry;
import io.sightline.schemas.avro.CatalogProduct;
import io.sightline.schemas.avro.DeadLetter;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.ErasureReceipt;
import io.sightline.schemas.avro.EventCatalogEntry;
import io.sightline.schemas.avro.LatestEvaluation;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.schemas.avro.QualityViolation;
import io.sightline.schemas.avro.RegulationStatus;
import io.sightline.schemas.avro.SubjectRegulation;
import io.sightline.schemas.avro.SubjectType;
import io.sightline.schemas.avro.TrackedEvent;
import io.sightline.schemas.avro.TrackingPlanVersion;
import io.sightline.schemas.avro.UserProfile;
import io.sightline.schemas.registry.SchemaRegistryClient;
import io.sightline.schemas.serde.AvroSerde;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The one registry of Sightline topics. Names follow {@code <domain>.<stage>.v<major>};
 * keys are strings (user key, series key or alert fingerprint) and values are
 * Avro in the Confluent wire format, registered under {@code <topic>-value}.
 */
public final class Topics {

    /** Events accepted by the ingest gateway, keyed by source and user. */
    public static final String EVENTS_RAW = "events.raw.v1";
    /** Events with user context joined, keyed by user. */
    public static final String EVENTS_ENRICHED = "events.enriched.v1";
    /** Dead letters from every component, with their reason. */
    public static final String EVENTS_INVALID = "events.invalid.v1";
    /** Merged user traits from identify calls (compacted), keyed by user. */
    public static final String USERS_PROFILE = "users.profile.v1";
    /** Product catalog (compacted), keyed by product id. */
    public static final String CATALOG_PRODUCTS = "catalog.products.v1";
    /** Windowed metric values, keyed by series key. */
    public static final String METRICS_WINDOWED = "metrics.windowed.v1";
    /**
     * The latest evaluation of every series by the anomaly processor (compacted), keyed
     * by series key: what alert explanations read across partitions and instances.
     */
    public static final String METRICS_EVALUATIONS = "metrics.evaluations.v1";
    /** Alert state changes, keyed by fingerprint. */
    public static final String ALERTS = "alerts.v1";
    /** Every tracking-plan violation the gateway found, keyed by source. */
    public static final String QUALITY_VIOLATIONS = "quality.violations.v1";
    /** What each gateway observed of each event name since its last report, keyed {@code <source>|<type>|<name>}. */
    public static final String QUALITY_OBSERVATIONS = "quality.observations.v1";
    /** The observed event catalog: totals per source and event name (compacted), keyed {@code <source>|<type>|<name>}. */
    public static final String QUALITY_CATALOG = "quality.catalog.v1";
    /** Every published version of every tracking plan (compacted), keyed {@code <name>:<version>}. */
    public static final String QUALITY_PLANS = "quality.plans.v1";

    /** What applies to each data subject now, the latest regulation naming it (compacted), keyed {@code <subjectType>:<subjectId>}. */
    public static final String PRIVACY_REGULATIONS = "privacy.regulations.v1";
    /** Every regulation request and its progress (compacted), keyed by regulation id; no subject ids. */
    public static final String PRIVACY_REGULATION_STATUS = "privacy.regulation-status.v1";
    /** How far each Streams task erased the subjects of deletions (compacted), keyed {@code <application>/<processor>/<task>}. */
    public static final String PRIVACY_ERASURE_RECEIPTS = "privacy.erasure-receipts.v1";

    /** Every admin action and read of per-user data: who, what, when, from where, and the outcome. */
    public static final String AUDIT = "audit.v1";

    /** Every topic the pipeline needs, for the topic bootstrapper. */
    public static final List<String> ALL = List.of(
            EVENTS_RAW,
            EVENTS_ENRICHED,
            EVENTS_INVALID,
            USERS_PROFILE,
            CATALOG_PRODUCTS,
            METRICS_WINDOWED,
            METRICS_EVALUATIONS,
            ALERTS,
            QUALITY_VIOLATIONS,
            QUALITY_PLANS,
            QUALITY_OBSERVATIONS,
            QUALITY_CATALOG,
            PRIVACY_REGULATIONS,
            PRIVACY_REGULATION_STATUS,
            PRIVACY_ERASURE_RECEIPTS,
            AUDIT);

    /** Topics that keep only the latest value per key. */
    public static final List<String> COMPACTED = List.of(
            USERS_PROFILE,
            CATALOG_PRODUCTS,
            METRICS_EVALUATIONS,
            QUALITY_PLANS,
            QUALITY_CATALOG,
            PRIVACY_REGULATIONS,
            PRIVACY_REGULATION_STATUS,
            PRIVACY_ERASURE_RECEIPTS);

    private final SchemaRegistryClient registry;

    public Topics(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    public Topic<String, TrackedEvent> eventsRaw() {
        return topic(EVENTS_RAW, TrackedEvent.class);
    }

    public Topic<String, EnrichedEvent> eventsEnriched() {
        return topic(EVENTS_ENRICHED, EnrichedEvent.class);
    }

    public Topic<String, DeadLetter> eventsInvalid() {
        return topic(EVENTS_INVALID, DeadLetter.class);
    }

    public Topic<String, UserProfile> usersProfile() {
        return topic(USERS_PROFILE, UserProfile.class);
    }

    public Topic<String, CatalogProduct> catalogProducts() {
        return topic(CATALOG_PRODUCTS, CatalogProduct.class);
    }

    public Topic<String, MetricWindow> metricsWindowed() {
        return topic(METRICS_WINDOWED, MetricWindow.class);
    }

    public Topic<String, LatestEvaluation> metricsEvaluations() {
        return topic(METRICS_EVALUATIONS, LatestEvaluation.class);
    }

    public Topic<String, Alert> alerts() {
        return topic(ALERTS, Alert.class);
    }

    public Topic<String, QualityViolation> qualityViolations() {
        return topic(QUALITY_VIOLATIONS, QualityViolation.class);
    }

    public Topic<String, EventCatalogEntry> qualityObservations() {
        return topic(QUALITY_OBSERVATIONS, EventCatalogEntry.class);
    }

    public Topic<String, EventCatalogEntry> qualityCatalog() {
        return topic(QUALITY_CATALOG, EventCatalogEntry.class);
    }

    /** The key of an event name's observations and catalog entry: {@code <source>|<type>|<name>}. */
    public static String catalogKey(String source, String type, String name) {
        return source + "|" + type + "|" + (name == null ? "" : name);
    }

    public Topic<String, TrackingPlanVersion> qualityPlans() {
        return topic(QUALITY_PLANS, TrackingPlanVersion.class);
    }

    public Topic<String, SubjectRegulation> privacyRegulations() {
        return topic(PRIVACY_REGULATIONS, SubjectRegulation.class);
    }

    public Topic<String, RegulationStatus> privacyRegulationStatus() {
        return topic(PRIVACY_REGULATION_STATUS, RegulationStatus.class);
    }

    public Topic<String, AuditEntry> audit() {
        return topic(AUDIT, AuditEntry.class);
    }

    public Topic<String, ErasureReceipt> privacyErasureReceipts() {
        return topic(PRIVACY_ERASURE_RECEIPTS, ErasureReceipt.class);
    }

    /** The key of a subject's regulation: {@code <subjectType>:<subjectId>}. */
    public static String subjectKey(SubjectType type, String subjectId) {
        return type.name() + ":" + subjectId;
    }

    /**
     * The key of a subject's latest {@code DELETE_ONLY} request: {@code erase:<subjectType>:<subjectId>}.
     * Apart from {@link #subjectKey} so that deleting a suppressed subject's data leaves the
     * suppression in force (compaction keeps both).
     */
    public static String erasureKey(SubjectType type, String subjectId) {
        return "erase:" + subjectKey(type, subjectId);
    }

    /** An Avro value serde for a record type that is not a topic of its own (state stores, changelogs). */
    public <V extends SpecificRecord> AvroSerde<V> valueSerde(Class<V> type) {
        return new AvroSerde<>(registry, type);
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    private <V extends SpecificRecord> Topic<String, V> topic(String name, Class<V> type) {
        return new Topic<>(name, Serdes.String(), valueSerde(type));
    }
}

package io.sightline.ingest.http;

import io.javalin.config.JavalinConfig;
import io.sightline.common.http.ApiException;
import io.sightline.common.http.HttpService;
import io.sightline.common.kafka.RetentionClass;
import io.sightline.privacy.RetentionInForce;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/retention} (admin scope, through {@link AdminAccess}): the retention policy in force, as the brokers
 * have it, per class of topic, and how long a deleted user's events can outlive the
 * deletion.
 */
public final class RetentionRoutes {

    private final RetentionInForce retention;

    public RetentionRoutes(RetentionInForce retention) {
        this.retention = retention;
    }

    public void addTo(JavalinConfig javalin) {
        javalin.routes.get("/v1/retention", ctx -> {
            Map<String, Long> topics = retention
                    .topics()
                    .orElseThrow(() -> ApiException.unavailable("The brokers have not told the retention yet", 5));
            List<Map<String, Object>> hot = new ArrayList<>();
            for (RetentionClass c : RetentionClass.values()) {
                Map<String, Object> tier = new LinkedHashMap<>();
                tier.put("class", c.label());
                tier.put("holds", c.holds());
                tier.put("holdsUserIds", c.holdsEvents());
                tier.put(
                        "topics",
                        c.topics().stream().map(t -> topic(t, topics.get(t))).toList());
                hot.add(tier);
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("hot", hot);
            retention
                    .rawData()
                    .ifPresent(raw -> data.put(
                            "eventsOutliveADeletionBy",
                            raw.unlimited() ? null : raw.longest().toString()));
            data.put("deletionPromise", RetentionClass.DELETION_PROMISE.toString());
            HttpService.json(ctx, 200, Map.of("data", data));
        });
    }

    private static Map<String, Object> topic(String name, Long retentionMs) {
        Map<String, Object> topic = new LinkedHashMap<>();
        topic.put("topic", name);
        boolean limited = retentionMs != null && retentionMs >= 0;
        topic.put("retentionMs", limited ? retentionMs : null);
        topic.put("retention", limited ? Duration.ofMillis(retentionMs).toString() : "unlimited");
        return topic;
    }
}

package io.sightline.enrich.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.privacy.IpAnonymizer;
import io.sightline.privacy.PiiHasher;
import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.avro.EventContext;
import io.sightline.schemas.avro.TrackedEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * The stateless enrichments of one event, in the order privacy needs: geo from the
 * full IP, then the IP anonymized (in the typed field and in the context JSON), PII
 * hashed in properties, traits and context; device and browser from the user agent;
 * the product id picked out of the properties.
 */
public final class ContextEnricher {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PiiHasher pii;
    private final Optional<GeoLookup> geo;
    private final String productIdProperty;

    public ContextEnricher(PiiHasher pii, Optional<GeoLookup> geo, String productIdProperty) {
        this.pii = pii;
        this.geo = geo;
        this.productIdProperty = productIdProperty;
    }

    /**
     * A copy of {@code raw} with its personal data masked as it leaves the processor: PII
     * keys hashed in properties, traits and context, the IP address anonymized. What
     * enriched events and the processor's dead letters carry.
     */
    public TrackedEvent masked(TrackedEvent raw) {
        TrackedEvent event = TrackedEvent.newBuilder(raw).build();
        EventContext context = event.getContext();
        if (context != null) {
            context.setIp(IpAnonymizer.anonymize(context.getIp()));
            context.setJson(pii.apply(anonymizeIpInJson(context.getJson())));
        }
        event.setProperties(pii.apply(event.getProperties()));
        event.setTraits(pii.apply(event.getTraits()));
        return event;
    }

    public EnrichedEvent enrich(TrackedEvent raw) {
        EnrichedEvent.Builder out = EnrichedEvent.newBuilder().setUserKey("").setEnrichedAt(Instant.EPOCH);
        if (raw.getContext() != null) {
            // The location comes from the full address, before it is anonymized.
            InetAddress address = IpAnonymizer.parse(raw.getContext().getIp());
            geo.flatMap(g -> g.lookup(address))
                    .ifPresent(g -> out.setGeoCountry(g.country())
                            .setGeoRegion(g.region())
                            .setGeoCity(g.city()));
        }
        TrackedEvent event = masked(raw);
        EventContext context = event.getContext();
        if (context != null) {
            UserAgentParser.Parsed ua = UserAgentParser.parse(context.getUserAgent());
            if (ua != null) {
                out.setDeviceClass(ua.deviceClass())
                        .setOsName(ua.osName())
                        .setBrowserName(ua.browserName())
                        .setBrowserVersion(ua.browserVersion())
                        .setBot(ua.bot());
            }
        }
        out.setProductId(productId(event.getProperties()));
        return out.setEvent(event).build();
    }

    private String productId(String properties) {
        if (properties == null) {
            return null;
        }
        try {
            JsonNode id = JSON.readTree(properties).get(productIdProperty);
            return id == null || id.isNull() || id.isContainerNode() ? null : id.asText();
        } catch (IOException e) {
            return null;
        }
    }

    private static String anonymizeIpInJson(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(json);
            return node instanceof ObjectNode object && IpAnonymizer.anonymizeField(object) ? object.toString() : json;
        } catch (IOException e) {
            throw new IllegalArgumentException("context is not a JSON document", e);
        }
    }
}

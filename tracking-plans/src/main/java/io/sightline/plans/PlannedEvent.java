package io.sightline.plans;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;

/**
 * One entry of a plan: a track event, a page, a screen, or the traits of identify or group.
 *
 * @param schema     its properties (or traits) as compiled JSON Schema; null when the plan leaves them open
 * @param schemaNode the same schema as written in the plan, or null
 */
public record PlannedEvent(String name, String description, String owner, JsonNode schemaNode, Schema schema) {}

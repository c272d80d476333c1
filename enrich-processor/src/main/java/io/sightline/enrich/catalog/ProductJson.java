package io.sightline.enrich.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.schemas.avro.CatalogProduct;
import java.io.IOException;

/** A catalog entry as the JSON object joined onto events. */
public final class ProductJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProductJson() {}

    public static String of(CatalogProduct product) {
        ObjectNode node = JSON.createObjectNode();
        if (product.getAttributes() != null) {
            try {
                JsonNode attributes = JSON.readTree(product.getAttributes());
                if (attributes instanceof ObjectNode object) {
                    node.setAll(object);
                }
            } catch (IOException e) {
                // attributes that are not JSON are left out, the typed fields still join
            }
        }
        node.put("id", product.getProductId());
        if (product.getName() != null) {
            node.put("name", product.getName());
        }
        if (product.getCategory() != null) {
            node.put("category", product.getCategory());
        }
        if (product.getPrice() != null) {
            node.put("price", product.getPrice());
        }
        return node.toString();
    }
}

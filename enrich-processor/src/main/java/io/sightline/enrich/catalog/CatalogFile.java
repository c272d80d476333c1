package io.sightline.enrich.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.sightline.schemas.avro.CatalogProduct;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a product catalog from a CSV file (a header row; columns {@code id} or
 * {@code product_id}, {@code name}, {@code category}, {@code price}, any others kept
 * as attributes) or a JSON file (an array of objects with the same keys). Errors name
 * the file and the row.
 */
public final class CatalogFile {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TYPED = Set.of("id", "product_id", "name", "category", "price");

    private CatalogFile() {}

    public static List<CatalogProduct> read(Path file, Instant now) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        if (file.getFileName().toString().toLowerCase().endsWith(".csv")) {
            CsvMapper csv = new CsvMapper();
            try (MappingIterator<Map<String, String>> it = csv.readerFor(Map.class)
                    .with(CsvSchema.emptySchema().withHeader())
                    .readValues(file.toFile())) {
                while (it.hasNext()) {
                    rows.add(JSON.valueToTree(it.next()));
                }
            }
        } else {
            JsonNode root = JSON.readTree(Files.readString(file));
            if (!root.isArray()) {
                throw new IllegalArgumentException(file + ": expected a JSON array of product objects");
            }
            root.forEach(rows::add);
        }
        List<CatalogProduct> products = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            products.add(product(rows.get(i), file + " row " + (i + 1), now));
        }
        return products;
    }

    static CatalogProduct product(JsonNode row, String where, Instant now) {
        String id = text(row, "product_id") != null ? text(row, "product_id") : text(row, "id");
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(where + ": no id (column or key 'id' or 'product_id')");
        }
        Double price = null;
        String priceText = text(row, "price");
        if (priceText != null && !priceText.isBlank()) {
            try {
                price = Double.parseDouble(priceText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": price '" + priceText + "' is not a number");
            }
        }
        ObjectNode attributes = JSON.createObjectNode();
        row.fields().forEachRemaining(f -> {
            if (!TYPED.contains(f.getKey())) {
                attributes.set(f.getKey(), f.getValue());
            }
        });
        return CatalogProduct.newBuilder()
                .setProductId(id)
                .setName(text(row, "name"))
                .setCategory(text(row, "category"))
                .setPrice(price)
                .setAttributes(attributes.isEmpty() ? null : attributes.toString())
                .setUpdatedAt(now)
                .build();
    }

    private static String text(JsonNode row, String key) {
        JsonNode v = row.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}

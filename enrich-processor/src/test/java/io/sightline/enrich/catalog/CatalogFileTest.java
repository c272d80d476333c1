package io.sightline.enrich.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.schemas.avro.CatalogProduct;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogFileTest {

    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void shouldReadACsvCatalogKeepingExtraColumnsAsAttributes() throws Exception {
        Path file = Files.writeString(
                dir.resolve("products.csv"),
                "id,name,category,price,color\nsku-1,Lamp,home,19.5,red\nsku-2,Desk,office,,\n");

        List<CatalogProduct> products = CatalogFile.read(file, NOW);

        assertThat(products).extracting(CatalogProduct::getProductId).containsExactly("sku-1", "sku-2");
        assertThat(products.get(0).getPrice()).isEqualTo(19.5);
        assertThat(products.get(0).getAttributes()).isEqualTo("{\"color\":\"red\"}");
        assertThat(products.get(1).getPrice()).isNull();
    }

    @Test
    void shouldReadAJsonCatalog() throws Exception {
        Path file = Files.writeString(
                dir.resolve("products.json"), "[{\"product_id\":\"sku-9\",\"name\":\"Pen\",\"price\":2}]");

        CatalogProduct product = CatalogFile.read(file, NOW).get(0);

        assertThat(product.getProductId()).isEqualTo("sku-9");
        assertThat(product.getName()).isEqualTo("Pen");
        assertThat(product.getPrice()).isEqualTo(2.0);
        assertThat(product.getUpdatedAt()).isEqualTo(NOW);
    }

    @Test
    void shouldNameTheRowOfABadPrice() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.csv"), "id,price\nsku-1,1\nsku-2,cheap\n");

        assertThatThrownBy(() -> CatalogFile.read(file, NOW))
                .hasMessageContaining("bad.csv row 2")
                .hasMessageContaining("'cheap'");
    }
}

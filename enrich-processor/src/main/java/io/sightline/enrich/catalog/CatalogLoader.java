package io.sightline.enrich.catalog;

import io.sightline.common.config.ConfigFile;
import io.sightline.common.service.StreamsService;
import io.sightline.enrich.EnrichConfig;
import io.sightline.schemas.Topic;
import io.sightline.schemas.Topics;
import io.sightline.schemas.avro.CatalogProduct;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Command line: loads a catalog file into {@code catalog.products.v1}, keyed by
 * product id, with the enrich processor's Kafka and registry settings
 * ({@code SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS}, {@code SIGHTLINE_SCHEMA_REGISTRY_URL}).
 * Usage: {@code java -cp <enrich-processor classpath> io.sightline.enrich.catalog.CatalogLoader products.csv}
 */
public final class CatalogLoader {

    private CatalogLoader() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: CatalogLoader <catalog.csv|catalog.json>");
            System.exit(2);
        }
        int n = load(new EnrichConfig(ConfigFile.withEnvironment(System.getenv())), Path.of(args[0]));
        System.out.println("loaded " + n + " products into " + Topics.CATALOG_PRODUCTS);
    }

    /** Writes every product of {@code file} and waits for the acknowledgements; answers how many. */
    public static int load(EnrichConfig config, Path file) throws Exception {
        List<CatalogProduct> products = CatalogFile.read(file, Instant.now());
        Topic<String, CatalogProduct> topic = StreamsService.topics(config).catalogProducts();
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.put("acks", "all");
        props.put("enable.idempotence", true);
        try (KafkaProducer<String, CatalogProduct> producer = new KafkaProducer<>(
                props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (CatalogProduct product : products) {
                producer.send(new ProducerRecord<>(topic.name(), product.getProductId(), product));
            }
            producer.flush();
        }
        return products.size();
    }
}

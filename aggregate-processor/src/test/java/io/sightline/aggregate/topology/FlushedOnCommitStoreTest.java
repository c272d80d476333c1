package io.sightline.aggregate.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.aggregate.definition.Measure;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams still asks a {@link FlushedOnCommitStore} to write back before it commits.
 * The hook is internal API: if an upgrade stops calling it, window states would never
 * reach the store or its changelog, and this test fails.
 */
class FlushedOnCommitStoreTest {

    @Test
    void shouldWriteHeldStatesToTheStoreUnderneathWhenStreamsCommits() {
        Topology topology = new Topology();
        topology.addSource("in", new StringDeserializer(), new StringDeserializer(), "in");
        topology.addProcessor("hold", HoldingProcessor::new, "in");
        topology.addStateStore(MetricStateStore.builder("windows"), "hold");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "flushed-on-commit");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");

        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            TestInputTopic<String, String> in =
                    driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            in.pipeInput("signups|2026-12-06T10:00", "x");

            // The processor only handed the state to the layer; the driver has committed since.
            MetricStateStore store = (MetricStateStore) driver.getStateStore("windows");
            assertThat(store.getRaw("signups|2026-12-06T10:00")).isNotNull();
            assertThat(MetricState.fromBytes(store.getRaw("signups|2026-12-06T10:00"))
                            .samples())
                    .isZero();
        }
    }

    /** Hands an empty count state for each record's key to the layer, as the aggregator does with its window states. */
    private static final class HoldingProcessor implements Processor<String, String, Void, Void> {
        private MetricStateStore store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore("windows");
        }

        @Override
        public void process(Record<String, String> record) {
            store.update(record.key(), MetricState.empty(Measure.Type.COUNT, null, null, 0));
        }
    }
}

package io.sightline.aggregate.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.sightline.aggregate.definition.LatenessHorizons;
import io.sightline.aggregate.definition.Measure;
import io.sightline.schemas.avro.MetricWindow;
import io.sightline.testkit.TaskMetrics;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The merge of input partitions' window snapshots: what the topology test cannot show,
 * since the test driver runs every sub-topology on one partition.
 */
class PartialWindowMergerTest {

    private static final long MINUTE = 60_000;
    private static final Duration GRACE = Duration.ofSeconds(30);
    /** The window [0, 1 min): it closes at 1 min plus grace. */
    private static final long CLOSE_AT = MINUTE + GRACE.toMillis();

    private static final String SERIES = "event_count{event=Clicked}";

    private MockProcessorContext<String, MetricWindow> context;
    private PartialWindowMerger merger;

    @BeforeEach
    void start() {
        context = new MockProcessorContext<>();
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore("merged"), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        start(LatenessHorizons.parse(List.of("1m=30s")));
    }

    /** A merger whose windows take late events as {@code horizons} say (by default none after grace). */
    private void start(LatenessHorizons horizons) {
        context.resetForwards();
        merger = new PartialWindowMerger(GRACE, horizons, "merged");
        merger.init(context);
    }

    @Test
    void shouldAddThePartitionsLatestSnapshotsSoASnapshotSentAgainCountsOnce() {
        send(0, counted(3), false, 10_000);
        send(1, counted(4), false, 11_000);
        // partition 0 again, after two more events (and once more, as after a restart: nothing changed, nothing
        // published)
        send(0, counted(5), false, 12_000);
        send(0, counted(5), false, 12_000);

        assertThat(published()).extracting(MetricWindow::getValue).containsExactly(3.0, 7.0, 9.0);
        assertThat(published()).extracting(MetricWindow::getIsFinal).containsOnly(false);
        assertThat(published().get(2).getSampleCount()).isEqualTo(9);
    }

    @Test
    void shouldMergeUniqueUsersAcrossPartitionsWithinTheSketchsStatedError() {
        MetricState left = MetricState.empty(Measure.Type.UNIQUE_USERS, null, null, 0);
        MetricState right = MetricState.empty(Measure.Type.UNIQUE_USERS, null, null, 0);
        // 3,000 users, 1,000 of them seen on both partitions (a user re-keyed by an alias)
        for (int i = 0; i < 3_000; i++) {
            Contribution c = new Contribution(0, 0, Contribution.MAIN, "user-" + i, Double.NaN, 0, null);
            if (i < 2_000) {
                left.add(c);
            }
            if (i >= 1_000) {
                right.add(c);
            }
        }

        send(0, left.toBytes(), false, 10_000);
        send(1, right.toBytes(), false, 10_000);

        // lgK 12: relative standard error about 1.6 %; three of them
        assertThat(published().get(1).getValue()).isCloseTo(3_000.0, withinPercentage(5));
        assertThat(published().get(1).getSampleCount()).isEqualTo(4_000);
    }

    @Test
    void shouldBeFinalOnlyOnceEveryContributingPartitionHasClosedTheWindow() {
        send(0, counted(2), false, 10_000);
        send(1, counted(1), false, 10_000);
        send(0, counted(2), true, CLOSE_AT);
        send(1, counted(1), true, CLOSE_AT + 10);

        assertThat(published()).extracting(MetricWindow::getIsFinal).containsExactly(false, false, false, true);
        assertThat(published().get(3).getValue()).isEqualTo(3.0);
    }

    @Test
    void shouldPublishARevisionWhenAPartitionBehindTheOthersAddsItsShareAfterTheWindowWasFinal() {
        send(0, counted(2), true, CLOSE_AT);
        // partition 1 was behind: its events of the window arrive after partition 0 closed it
        send(1, counted(1), false, 20_000);
        send(1, counted(1), true, CLOSE_AT);

        assertThat(published())
                .extracting(MetricWindow::getValue, MetricWindow::getIsFinal, MetricWindow::getRevision)
                .containsExactly(tuple(2.0, true, 0), tuple(3.0, true, 1), tuple(3.0, true, 2));
    }

    @Test
    void shouldGiveUpOnAPartitionThatNeverClosesTheWindowAndDropWhatItSendsAfterThat() {
        send(0, counted(2), false, 20_000);
        send(1, counted(1), false, 20_000);
        send(0, counted(2), true, CLOSE_AT);
        context.resetForwards();

        // another window's snapshot moves stream time past close plus grace once more
        send(0, counted(1), false, CLOSE_AT + GRACE.toMillis(), 2 * MINUTE, "event_count{event=Other}");
        send(1, counted(2), false, 30_000);

        assertThat(published())
                .extracting(w -> w.getDimensions().get("event"), MetricWindow::getValue, MetricWindow::getIsFinal)
                .containsExactly(tuple("Other", 1.0, false), tuple("Clicked", 3.0, true));
        assertThat(TaskMetrics.total(context.metrics().metrics(), "late-records-dropped-total"))
                .isEqualTo(1.0);
    }

    @Test
    void shouldPublishLateSharesAsRevisionsUntilTheHorizonAndDropThemAfter() {
        start(LatenessHorizons.parse(List.of("1m=15m")));
        long revisableUntil = MINUTE + Duration.ofMinutes(15).toMillis();
        send(0, counted(2), true, CLOSE_AT);
        // a late event of the closed window, ten minutes later (receive time)
        send(0, counted(3), true, CLOSE_AT + 600_000);
        // another partition's first share, just before the horizon
        send(1, counted(1), true, revisableUntil - 1);
        // past the horizon (plus grace): dropped
        send(1, counted(5), true, revisableUntil + GRACE.toMillis());

        assertThat(published())
                .extracting(MetricWindow::getValue, MetricWindow::getIsFinal, MetricWindow::getRevision)
                .containsExactly(tuple(2.0, true, 0), tuple(3.0, true, 1), tuple(4.0, true, 2));
        assertThat(published())
                .extracting(w -> w.getRevisableUntil().toEpochMilli())
                .containsOnly(revisableUntil);
        assertThat(TaskMetrics.total(context.metrics().metrics(), "late-records-dropped-total"))
                .isEqualTo(1.0);
    }

    @Test
    void shouldCountTheFirstValueOfAWindowThatOnlyLateEventsFilledAsARevision() {
        start(LatenessHorizons.parse(List.of("1m=15m")));

        // the stream is 5 minutes past the window's close when its first (late) share comes
        send(0, counted(4), true, CLOSE_AT + 300_000);

        assertThat(published())
                .extracting(MetricWindow::getValue, MetricWindow::getIsFinal, MetricWindow::getRevision)
                .containsExactly(tuple(4.0, true, 1));
    }

    private void send(int partition, byte[] state, boolean isFinal, long streamTime) {
        send(partition, state, isFinal, streamTime, 0, SERIES);
    }

    private void send(int partition, byte[] state, boolean isFinal, long streamTime, long start, String series) {
        PartialWindow partial =
                new PartialWindow(start + MINUTE + GRACE.toMillis(), start, MINUTE, series, partition, isFinal, state);
        merger.process(new Record<>(series, partial, streamTime));
    }

    private List<MetricWindow> published() {
        return context.forwarded().stream()
                .map(f -> (MetricWindow) f.record().value())
                .toList();
    }

    private static byte[] counted(int events) {
        MetricState state = MetricState.empty(Measure.Type.COUNT, null, null, 0);
        for (int i = 0; i < events; i++) {
            state.add(new Contribution(0, 0, Contribution.MAIN, null, Double.NaN, 0, null));
        }
        return state.toBytes();
    }
}

package io.sightline.aggregate.topology;

import io.sightline.aggregate.definition.Dimensions;
import io.sightline.aggregate.definition.Filter;
import io.sightline.aggregate.definition.Measure;
import io.sightline.aggregate.definition.MetricDefinition;
import io.sightline.aggregate.definition.MetricDefinitions;
import io.sightline.schemas.SeriesKey;
import io.sightline.schemas.avro.EnrichedEvent;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns each enriched event into what it adds to each metric's series windows, keyed
 * by series. Runs on the user-keyed input partitions, where per-user state lives:
 * funnel progress (step reached and when step one happened), and the dimension
 * combinations seen per metric, for the cardinality cap.
 *
 * <p>The cap is counted per input partition: with P partitions a metric keeps at most
 * P x cap series, still a bound. Funnel steps count in the window and the series
 * (dimension values) of the user's step one, so a cohort's conversion stays together.
 */
public final class ContributionMapper implements Processor<String, EnrichedEvent, String, Contribution> {

    public static final String OTHER = "other";

    private final MetricDefinitions definitions;
    private final int defaultCap;
    private final String dimensionStoreName;
    private final String funnelStoreName;
    private ProcessorContext<String, Contribution> context;
    private KeyValueStore<String, String> dimensionValues;
    private KeyValueStore<String, String> funnels;
    /** The current event's source, carried by each of its contributions. */
    private String source;

    public ContributionMapper(
            MetricDefinitions definitions, int defaultCap, String dimensionStoreName, String funnelStoreName) {
        this.definitions = definitions;
        this.defaultCap = defaultCap;
        this.dimensionStoreName = dimensionStoreName;
        this.funnelStoreName = funnelStoreName;
    }

    @Override
    public void init(ProcessorContext<String, Contribution> context) {
        this.context = context;
        this.dimensionValues = context.getStateStore(dimensionStoreName);
        this.funnels = context.getStateStore(funnelStoreName);
    }

    @Override
    public void process(Record<String, EnrichedEvent> record) {
        if (record.value() == null) {
            return;
        }
        EventView event = new EventView(record.value());
        source = Objects.requireNonNullElse(record.value().getEvent().getSource(), "");
        // Windows follow the event's own (corrected) time; the record timestamp is its receive time.
        long time = record.value().getEvent().getTimestamp().toEpochMilli();
        List<MetricDefinition> metrics = definitions.metrics();
        for (int i = 0; i < metrics.size(); i++) {
            MetricDefinition m = metrics.get(i);
            if (event.enriched().getBot() && !m.includeBots()) {
                continue;
            }
            Measure measure = m.measure();
            switch (measure.type()) {
                case FUNNEL -> funnel(record, i, m, event, time);
                case RATIO -> {
                    MetricDefinition num = definitions.get(measure.numerator());
                    MetricDefinition den = definitions.get(measure.denominator());
                    boolean n = num.filter().matches(event);
                    boolean d = den.filter().matches(event);
                    if (n || d) {
                        String dims = seriesDims(m, event);
                        if (n) {
                            emit(
                                    record,
                                    m,
                                    i,
                                    time,
                                    Contribution.NUMERATOR,
                                    member(num.measure().type(), event),
                                    Double.NaN,
                                    0,
                                    dims);
                        }
                        if (d) {
                            emit(
                                    record,
                                    m,
                                    i,
                                    time,
                                    Contribution.DENOMINATOR,
                                    member(den.measure().type(), event),
                                    Double.NaN,
                                    0,
                                    dims);
                        }
                    }
                }
                default -> {
                    if (!m.filter().matches(event)) {
                        continue;
                    }
                    double number = measure.type().distribution() ? event.number(measure.property()) : Double.NaN;
                    if (measure.type().distribution() && Double.isNaN(number)) {
                        continue;
                    }
                    emit(
                            record,
                            m,
                            i,
                            time,
                            Contribution.MAIN,
                            member(measure.type(), event),
                            number,
                            0,
                            seriesDims(m, event));
                }
            }
        }
    }

    private void funnel(
            Record<String, EnrichedEvent> record, int index, MetricDefinition m, EventView event, long time) {
        List<Filter> steps = m.measure().steps();
        long within = m.measure().within().toMillis();
        String key = funnelKey(m.name(), event.enriched().getUserKey());
        String state = funnels.get(key);
        int reached = 0;
        long start = 0;
        String dims = "{}";
        if (state != null) {
            // reached|start[|dims]: states written before funnels had dimensions have no third part.
            String[] parts = state.split("\\|", 3);
            reached = Integer.parseInt(parts[0]);
            start = Long.parseLong(parts[1]);
            dims = parts.length > 2 ? parts[2] : "{}";
        }
        boolean open = state != null && reached < steps.size() && time >= start && time - start <= within;
        int step;
        if (open && steps.get(reached).matches(event)) {
            step = reached + 1;
        } else if (!open && steps.get(0).matches(event)) {
            step = 1;
            start = time;
            // The cohort's dimensions are those of its first step: every later step counts in the same series.
            dims = seriesDims(m, event);
        } else {
            return;
        }
        funnels.put(key, step + "|" + start + "|" + dims);
        emit(record, m, index, start, Contribution.MAIN, event.enriched().getUserKey(), Double.NaN, step, dims);
    }

    /** A user's progress through a funnel is kept under the funnel's name and the user's key. */
    static String funnelKey(String funnel, String userKey) {
        return funnel + "\u0000" + userKey;
    }

    /** Keyed by the metric's name and dimensions: every window size of the series lands on one partition. */
    private void emit(
            Record<String, EnrichedEvent> record,
            MetricDefinition m,
            int metric,
            long time,
            byte role,
            String member,
            double number,
            int step,
            String dims) {
        context.forward(record.withKey(m.name() + dims)
                .withValue(new Contribution(metric, time, role, member, number, step, source)));
    }

    private static String member(Measure.Type type, EventView event) {
        return switch (type) {
            case UNIQUE_USERS -> event.enriched().getUserKey();
            case UNIQUE_SESSIONS -> event.enriched().getSessionId();
            default -> null;
        };
    }

    /** The dimensions part of the series key ({@code {k=v,...}}), with the cardinality cap applied. */
    private String seriesDims(MetricDefinition m, EventView event) {
        if (m.dimensions().isEmpty()) {
            return "{}";
        }
        Map<String, String> dims = new TreeMap<>();
        for (String d : m.dimensions()) {
            String v = Dimensions.value(d, event);
            dims.put(d, v == null ? "" : v);
        }
        String rendered = SeriesKey.of("x", dims).toString().substring(1);
        String known = m.name() + "\u0000" + rendered;
        if (dimensionValues.get(known) == null) {
            String countKey = m.name() + "\u0001";
            String c = dimensionValues.get(countKey);
            int count = c == null ? 0 : Integer.parseInt(c);
            int cap = m.maxCardinality() == null ? defaultCap : m.maxCardinality();
            if (count >= cap) {
                dims.replaceAll((k, v) -> OTHER);
                return SeriesKey.of("x", dims).toString().substring(1);
            }
            dimensionValues.put(known, "1");
            dimensionValues.put(countKey, Integer.toString(count + 1));
        }
        return rendered;
    }
}

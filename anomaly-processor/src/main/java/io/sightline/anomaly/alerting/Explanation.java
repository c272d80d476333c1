package io.sightline.anomaly.alerting;

import io.sightline.schemas.avro.AlertContributor;
import io.sightline.schemas.avro.CorrelatedSeries;
import java.util.List;

/** Why an alert fired: the dimension values behind the deviation and what else moved at the same time. */
public record Explanation(List<AlertContributor> contributors, List<CorrelatedSeries> correlated, String text) {

    public static final Explanation NONE = new Explanation(List.of(), List.of(), "");
}

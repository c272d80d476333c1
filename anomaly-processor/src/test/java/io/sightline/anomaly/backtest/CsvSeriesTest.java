package io.sightline.anomaly.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSeriesTest {

    @TempDir
    Path dir;

    @Test
    void repeatedTimestampsAreCombinedOlderRowsAndUnreadableRowsSkippedAndCounted() throws Exception {
        Path csv = Files.writeString(dir.resolve("s.csv"), """
                timestamp,value
                2014-04-01 00:00:00,1
                2014-04-01 00:05:00,2
                2014-04-01 00:05:00,4
                2014-04-01 00:10:00,5
                2014-04-01 00:07:00,9
                2014-04-01 00:15:00,not-a-number
                yesterday,3
                2014-04-01 00:20:00,6
                """);

        CsvSeries.Read read = CsvSeries.read(csv);

        assertThat(read.rows()).extracting(Row::value).containsExactly(1.0, 3.0, 5.0, 6.0);
        assertThat(read.duplicatesCombined()).isEqualTo(1);
        assertThat(read.outOfOrderSkipped()).isEqualTo(1);
        assertThat(read.unreadableSkipped()).isEqualTo(2);
        assertThat(read.summary())
                .startsWith(
                        "1 rows with a repeated timestamp combined, 1 out-of-order rows skipped, 2 unreadable rows skipped")
                .contains("line 7: value is not a number");
        assertThat(CsvSeries.readAll(csv))
                .as("as the file has them, for scoring")
                .hasSize(6);
    }

    @Test
    void anyCsvWithATimestampAndAValueColumnIsRead() throws Exception {
        Path csv = Files.writeString(dir.resolve("wide.csv"), """
                host,value,time,label
                a,1.5,1700000000,0
                a,2.5,1700000060,1
                """);

        CsvSeries.Read read = CsvSeries.read(csv);

        assertThat(read.rows()).extracting(Row::timestamp).containsExactly(1_700_000_000_000L, 1_700_000_060_000L);
        assertThat(read.rows()).extracting(Row::value).containsExactly(1.5, 2.5);
        assertThat(read.rows()).extracting(Row::label).containsExactly(false, true);
        assertThat(read.summary()).isEmpty();
    }
}

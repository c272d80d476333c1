package io.sightline.archive;

import io.sightline.schemas.avro.EnrichedEvent;
import io.sightline.schemas.serde.SightlineClassTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificData;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Enriched events as Parquet files (parquet-avro, the {@code EnrichedEvent} schema, ZSTD),
 * written and read as local files without a Hadoop file system; any Parquet reader
 * (Spark, DuckDB, Trino, pandas) reads them.
 */
public final class EventsParquet {

    private static final ParquetConfiguration CONF = new PlainParquetConfiguration();

    static {
        // Reading builds EnrichedEvent objects by class name, which Avro refuses for untrusted packages.
        SightlineClassTrust.ensure();
    }

    private EventsParquet() {}

    public static ParquetWriter<EnrichedEvent> writer(Path file) throws IOException {
        return AvroParquetWriter.<EnrichedEvent>builder(new LocalOutputFile(file))
                .withConf(CONF)
                .withSchema(EnrichedEvent.getClassSchema())
                .withDataModel(SpecificData.getForClass(EnrichedEvent.class))
                .withCompressionCodec(CompressionCodecName.ZSTD)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .build();
    }

    /** Every event of a file, in order. */
    public static List<EnrichedEvent> read(Path file) throws IOException {
        List<EnrichedEvent> events = new ArrayList<>();
        try (ParquetReader<EnrichedEvent> reader = AvroParquetReader.<EnrichedEvent>builder(
                        new LocalInputFile(file), CONF)
                .withDataModel(SpecificData.getForClass(EnrichedEvent.class))
                .build()) {
            for (EnrichedEvent e = reader.read(); e != null; e = reader.read()) {
                events.add(e);
            }
        }
        return events;
    }

    /** Writes {@code events} as one file. */
    public static void write(Path file, List<EnrichedEvent> events) throws IOException {
        try (ParquetWriter<EnrichedEvent> writer = writer(file)) {
            for (EnrichedEvent e : events) {
                writer.write(e);
            }
        }
    }
}

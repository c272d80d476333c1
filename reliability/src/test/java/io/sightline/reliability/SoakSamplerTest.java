package io.sightline.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakSamplerTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadTheHeapAfterTheLatestCollectionFromTheGcLog() throws Exception {
        Path log = Files.writeString(dir.resolve("gc.log"), """
                [12.001s][info][gc] GC(41) Pause Young (Normal) (G1 Evacuation Pause) 612M->180M(1024M) 8.123ms
                [14.500s][info][gc] GC(42) Pause Young (Normal) (G1 Evacuation Pause) 640M->176M(1024M) 7.9ms
                [14.600s][info][gc] some other line
                """);
        assertThat(SoakSampler.heapAfterGc(log)).isEqualTo(176.0);

        Path zgc = Files.writeString(dir.resolve("zgc.log"), """
                [30.1s][info][gc] GC(7) Garbage Collection (Allocation Rate) 416M(20%)->120M(6%)
                [31.2s][info][gc] GC(8) Garbage Collection (Proactive) 300M(15%)->118M(6%)
                """);
        assertThat(SoakSampler.heapAfterGc(zgc)).isEqualTo(118.0);
        Path zgcHeap = Files.writeString(dir.resolve("zgc-heap.log"), """
                [31.0s][info][gc,heap] GC(8)  Used:  300M (15%)  310M (15%)  320M (16%)  200M (10%)  330M (16%)  190M (9%)
                [31.0s][info][gc,heap] GC(8)  Live:         -              108M (5%)          108M (5%)          108M (5%)
                [31.2s][info][gc] GC(8) Garbage Collection (Proactive) 300M(15%)->118M(6%)
                """);
        assertThat(SoakSampler.heapAfterGc(zgcHeap)).isEqualTo(108.0);
    }

    @Test
    void shouldCallNoisyButLevelSeriesFlatAndAGrowingOneNot() {
        SplittableRandom random = new SplittableRandom(11);
        Instant t0 = Instant.parse("2026-12-06T10:00:00Z");
        List<SoakSampler.Sample> level = new ArrayList<>();
        List<SoakSampler.Sample> leaking = new ArrayList<>();
        for (int i = 0; i < 180; i++) { // 30 minutes of 10 s samples
            Instant at = t0.plusSeconds(10L * i);
            double noise = random.nextDouble(-20, 20);
            level.add(new SoakSampler.Sample(at, 200 + noise, 900, 50, 300, 120, 20, 5, 0));
            // heap after GC grows 4 MiB a minute: 80 MiB in the 20 minutes, 40 % of its mean
            leaking.add(new SoakSampler.Sample(at, 200 + 4 * i / 6.0 + noise, 900, 50, 300, 120, 20, 5, 0));
        }
        assertThat(SoakSampler.table(level, 20)).doesNotContain("NOT FLAT").contains("| heap after GC MiB |");
        assertThat(SoakSampler.table(leaking, 20)).containsPattern("\\| heap after GC MiB \\|[^\\n]*NOT FLAT");
    }
}

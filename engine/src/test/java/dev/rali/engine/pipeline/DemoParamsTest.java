package dev.rali.engine.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.params.ParamException;
import dev.rali.engine.rali.RaliParams;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DemoParamsTest {

    /**
     * The settings the demo hands its stages, for every variant, with and without the demo's own CLIP. The digest
     * was taken from the version before PipelineParams (RaliParams built there and read back from JSON), so the demo
     * feeds its stages the very same values and reuses the same hashed work folders.
     */
    @Test
    void demoFeedsTheStagesTheSameValuesAsBefore() throws Exception {
        StringBuilder sb = new StringBuilder();
        ObjectMapper plain = new ObjectMapper();
        for (boolean demoEncoder : new boolean[] {true, false}) {
            for (String variant : RaliParams.ABLATIONS) {
                RaliParams p = Demo.params(variant, demoEncoder, "auto", 1363).rali();
                sb.append(variant).append('\t').append(p.toJson().replace("\n", "\\n")).append('\t')
                        .append(plain.writeValueAsString(p.alignment)).append('\n');
            }
        }
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        assertEquals("24401497a688c5f252134426beb05175478002a8587fa3808da15b45a25e05ae", digest, sb.toString());
    }

    @Test
    void demoScoresTheSampleDatasetOnTheChosenDevice() {
        var p = Demo.params("full", true, "CPU", 100);
        assertEquals(Demo.DATASET, p.data().scoreDataset());
        assertEquals("cpu", p.encoder().device());
        assertEquals("encoder.device: 'tpu' is not allowed (one of auto, cpu, gpu)",
                assertThrows(ParamException.class, () -> Demo.params("full", true, "tpu", 100)).getMessage());
    }
}

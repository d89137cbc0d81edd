package dev.rali.engine.params;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.rali.RaliParams;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineParamsTest {

    @Test
    void defaultsAreThePaperStagesDefaultsAndEveryAblationsSettings() {
        assertEquals(new RaliParams().toJson(), PipelineParams.defaults().rali().toJson());
        for (String a : RaliParams.ABLATIONS) {
            assertEquals(RaliParams.ablation(a).toJson(), PipelineParams.ablation(a).rali().toJson(), a);
            assertEquals(a, PipelineParams.ablation(a).run().ablation());
        }
        assertEquals(250, PipelineParams.defaults().get(ParamKeys.BASES_COUNT));
        assertEquals(new PipelineParams.Data("", List.of(), "train", "val"), PipelineParams.defaults().data());
        assertEquals(new PipelineParams.Encoder("", "auto", 16, "auto"), PipelineParams.defaults().encoder());
        assertEquals(200, PipelineParams.defaults().evaluate().bootstrap());
        assertEquals(new PipelineParams.Run(42, "full"), PipelineParams.defaults().run());
    }

    /**
     * The stages' settings reach the fingerprints and work-folder hashes as RaliParams JSON; this digest was taken
     * from the version before PipelineParams existed, so the same parameters keep reusing the same work folders.
     */
    @Test
    void stageSettingsSerialiseExactlyAsBeforeSoWorkFolderHashesStay() throws Exception {
        StringBuilder sb = new StringBuilder();
        ObjectMapper plain = new ObjectMapper();
        for (String a : RaliParams.ABLATIONS) {
            RaliParams p = PipelineParams.ablation(a).rali();
            sb.append(a).append('\t').append(p.toJson().replace("\n", "\\n")).append('\t')
                    .append(plain.writeValueAsString(p.alignment)).append('\n');
        }
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        assertEquals("32bcbffd8560a4f0e800121ec438734a1bccefc2533b7074309aae94cfc3b689", digest, sb.toString());
    }

    @Test
    void withReturnsANewInstanceAndParsesByType() {
        PipelineParams d = PipelineParams.defaults();
        PipelineParams p = d.with("scoreDefinition.lr", "0.01").with("bases.bucketed", "FALSE")
                .with("scoreDefinition.loss", "plcc").with("compression.dim", " 256 ").with("run.seed", "3")
                .with("data.alignDatasets", "koniq, spaq").with("encoder.device", "GPU");
        assertEquals(0.01, p.get(ParamKeys.SCORE_DEFINITION_LR));
        assertFalse(p.get(ParamKeys.BUCKETED));
        assertEquals(RaliParams.Loss.PLCC, p.get(ParamKeys.LOSS));
        assertEquals(256, p.get(ParamKeys.COMPRESSION_DIM));
        assertEquals(3L, p.run().seed());
        assertEquals(List.of("koniq", "spaq"), p.data().alignDatasets());
        assertEquals("gpu", p.encoder().device());
        assertEquals(List.of("data.alignDatasets", "encoder.device", "compression.dim", "bases.bucketed",
                "scoreDefinition.lr", "scoreDefinition.loss", "run.seed"), p.changedFrom(d));
        assertEquals(PipelineParams.defaults(), d, "the original is unchanged");
        RaliParams r = p.rali();
        assertEquals(0.01, r.scoreDefinition.lr);
        assertEquals(256, r.compression.dim);
        assertEquals(3, r.seed);
        assertEquals(List.of("a", "b"), d.with("data.alignDatasets", "[\"a\", \"b\"]").data().alignDatasets());
        assertEquals(List.of(), p.with("data.alignDatasets", "").data().alignDatasets());
    }

    @Test
    void unknownKeysWrongTypesAndRangesAreRefusedNamingTheKey() {
        PipelineParams d = PipelineParams.defaults();
        assertEquals("unknown parameter 'bases.cuont'; did you mean 'bases.count'? (`rali run --show-defaults` "
                + "lists them all)", assertThrows(ParamException.class, () -> d.with("bases.cuont", "3")).getMessage());
        assertTrue(assertThrows(ParamException.class, () -> d.with("nonsense.key", "1")).getMessage()
                .startsWith("unknown parameter 'nonsense.key'; did you mean '"));
        assertEquals("bases.bucketed: 'maybe' is not true or false",
                assertThrows(ParamException.class, () -> d.with("bases.bucketed", "maybe")).getMessage());
        assertEquals("compression.dim: 0 is out of range (allowed: integer ≥ 1)",
                assertThrows(ParamException.class, () -> d.with("compression.dim", "0")).getMessage());
        assertEquals("compression.dim: 1.5 is not an integer (expected integer ≥ 1)".replace("1.5", "'1.5'"),
                assertThrows(ParamException.class, () -> d.with("compression.dim", "1.5")).getMessage());
        assertEquals("scoreDefinition.lr: 0.0 is out of range (allowed: number > 0)",
                assertThrows(ParamException.class, () -> d.with("scoreDefinition.lr", "0")).getMessage());
        assertEquals("scoreDefinition.lr: NaN is not a finite number",
                assertThrows(ParamException.class, () -> d.with("scoreDefinition.lr", "NaN")).getMessage());
        assertEquals("scoreDefinition.adamBeta1: 1.0 is out of range (allowed: number in [0, 1))",
                assertThrows(ParamException.class, () -> d.with("scoreDefinition.adamBeta1", "1")).getMessage());
        assertEquals("encoder.device: 'cuda' is not allowed (one of auto, cpu, gpu)",
                assertThrows(ParamException.class, () -> d.with("encoder.device", "cuda")).getMessage());
        assertEquals("run.ablation: 'no_bases' is not allowed (one of full, no_alignment, no_pca, plain_kmeans, "
                        + "no_seed_augmentation, no_score_definition)",
                assertThrows(ParamException.class, () -> d.with("run.ablation", "no_bases")).getMessage());
        assertThrows(ParamException.class, () -> d.with(ParamKeys.BASES_COUNT, -1));
        assertEquals("scoreDefinition.batchSize: the PLCC loss needs batches of at least 2, got 1",
                assertThrows(ParamException.class, () -> d.with("scoreDefinition.loss", "PLCC")
                        .with("scoreDefinition.batchSize", "1").validate()).getMessage());
    }

    @Test
    void suggestionsFindTheNearestKeyAcrossStylesAndSections() {
        assertEquals("data.scoreDataset", ParamKeys.suggest("data.score_datset"));
        assertEquals("data.scoreDataset", ParamKeys.suggest("scoreDataset"));
        assertEquals("run.seed", ParamKeys.suggest("seed"));
        assertEquals("scoreDefinition.tauInit", ParamKeys.suggest("scoreDefinition.tau"));
        assertEquals("bases.buckets", ParamKeys.suggest("base.buckets"));
        assertEquals("compression.dim", ParamKeys.suggest("pca.dim"));
    }

    @Test
    void jsonRoundTripKeepsEveryTypeAndIsNestedBySection() {
        PipelineParams p = PipelineParams.ablation("plain_kmeans").with("scoreDefinition.loss", "L1")
                .with("bases.allocation", "uniform").with("data.alignDatasets", "a,b").with("run.seed", "9")
                .with("alignment.lr", "1e-3").with("data.scoreDataset", "koniq");
        PipelineParams q = PipelineParams.fromJson(p.toJson());
        assertEquals(p, q);
        assertEquals(p, PipelineParams.fromJson(p.toPrettyJson()));
        assertEquals(p, PipelineParams.fromMap(p.toMap()));
        assertEquals(ParamKeys.SECTIONS, List.copyOf(p.toMap().keySet()));
        assertTrue(p.toJson().contains("\"bases\":{\"count\":250,\"bucketed\":false"), p.toJson());
        assertTrue(p.toJson().contains("\"alignDatasets\":[\"a\",\"b\"]"), p.toJson());
        assertTrue(p.toJson().contains("\"loss\":\"L1\""), p.toJson());
        assertEquals(p.rali().toJson(), q.rali().toJson());
    }

    @Test
    void mapsTakeNestedOrDottedKeysAndRefuseUnknownSectionsAndWrongTypes() {
        PipelineParams p = PipelineParams.fromMap(Map.of("bases.count", 100, "scoreDefinition",
                Map.of("tauInit", 0.5, "learnTau", true)));
        assertEquals(100, p.get(ParamKeys.BASES_COUNT));
        assertEquals(0.5, p.get(ParamKeys.TAU_INIT));
        assertTrue(p.get(ParamKeys.LEARN_TAU));
        assertEquals("unknown parameter section 'bsaes'; did you mean 'bases'? (sections: data, encoder, alignment, "
                        + "compression, bases, scoreDefinition, evaluate, run)",
                assertThrows(ParamException.class, () -> PipelineParams.fromJson("{\"bsaes\":{\"count\":3}}"))
                        .getMessage());
        assertEquals("bases.count: expected integer ≥ 1, got true/false",
                assertThrows(ParamException.class, () -> PipelineParams.fromJson("{\"bases\":{\"count\":true}}"))
                        .getMessage());
        assertEquals("bases.bucketed: expected true/false, got the number 1",
                assertThrows(ParamException.class, () -> PipelineParams.fromJson("{\"bases\":{\"bucketed\":1}}"))
                        .getMessage());
        assertEquals("data.alignDatasets: expected list of names (comma-separated or a JSON array), got the number 3",
                assertThrows(ParamException.class, () -> PipelineParams.fromJson("{\"data\":{\"alignDatasets\":3}}"))
                        .getMessage());
        assertTrue(assertThrows(ParamException.class, () -> PipelineParams.fromJson("{\"bases\":{\"cuont\":3}}"))
                .getMessage().contains("did you mean 'bases.count'"));
        assertTrue(assertThrows(ParamException.class, () -> PipelineParams.fromJson("{\"bases\":3}"))
                .getMessage().contains("section 'bases' must be an object"));
        assertTrue(assertThrows(ParamException.class, () -> PipelineParams.fromJson("{oops"))
                .getMessage().startsWith("parameters: malformed JSON"));
        // A JSON string goes through the same parser as --set.
        assertEquals(7, PipelineParams.fromJson("{\"bases\":{\"count\":\"7\"}}").get(ParamKeys.BASES_COUNT));
    }

    /** What the pipeline recorded in runs.params_json before the key style was unified. */
    static final String OLD_PIPELINE_RUN = "{\"data\":{\"score_dataset\":\"koniq\",\"align_datasets\":[\"koniq\","
            + "\"spaq\"],\"train_split\":\"train\",\"val_split\":\"val\"},\"encoder\":{\"base\":\"/models/clip\","
            + "\"device\":\"auto\",\"embed_batch\":8},\"alignment\":{\"batchSize\":32,\"cropAugmentation\":false,"
            + "\"enabled\":true,\"epochs\":5,\"gradClip\":1.0,\"lr\":1.0E-5,\"seedAugmentation\":true,"
            + "\"textContext\":77,\"tracesPerImage\":4,\"warmupSteps\":100,\"weightDecay\":0.05},\"compression\":"
            + "{\"dim\":512,\"enabled\":false},\"bases\":{\"allocation\":\"PROPORTIONAL\",\"bucketed\":true,"
            + "\"buckets\":240,\"count\":250,\"kmeansIterations\":100,\"kmeansTolerance\":1.0E-6,\"scoreMax\":5.0,"
            + "\"scoreMin\":1.0},\"scoreDefinition\":{\"adamBeta1\":0.9,\"adamBeta2\":0.999,\"adamEps\":1.0E-8,"
            + "\"batchSize\":64,\"earlyStoppingPatience\":0,\"enabled\":true,\"epochs\":30,\"keepBestEpoch\":true,"
            + "\"learnF\":true,\"learnMu\":true,\"learnTau\":false,\"loss\":\"MSE\",\"lr\":0.03,\"tauInit\":0.07,"
            + "\"valFraction\":0.0},\"evaluate\":{\"bootstrap\":200},\"run\":{\"seed\":42,\"ablation\":\"no_pca\"}}";

    @Test
    void runParamsStoredByOlderVersionsLoadInTodaysSpelling() {
        PipelineParams p = PipelineParams.fromJson(OLD_PIPELINE_RUN);
        assertEquals(new PipelineParams.Data("koniq", List.of("koniq", "spaq"), "train", "val"), p.data());
        assertEquals(8, p.encoder().embedBatch());
        assertEquals("/models/clip", p.encoder().base());
        assertEquals(RaliParams.ablation("no_pca").toJson(), p.rali().toJson());
        assertTrue(p.toJson().contains("\"scoreDataset\":\"koniq\""));
        assertFalse(p.toJson().contains("score_dataset"));

        // train-head recorded RaliParams JSON: seed and ablation at the top.
        RaliParams old = RaliParams.ablation("plain_kmeans");
        old.seed = 7;
        old.bases.count = 20;
        PipelineParams h = PipelineParams.fromJson(old.toJson());
        assertEquals(new PipelineParams.Run(7, "plain_kmeans"), h.run());
        assertEquals(old.toJson(), h.rali().toJson());
        assertEquals("run.seed", ParamKeys.migrate("seed"));
        // Typed keys (--set, the form) must use today's spelling; the old one is suggested.
        assertTrue(assertThrows(ParamException.class, () -> PipelineParams.defaults().with("data.score_dataset", "k"))
                .getMessage().contains("did you mean 'data.scoreDataset'?"));
        assertNotEquals(PipelineParams.defaults(), h);
    }

    @Test
    void everyKeyHasHelpAPaperValueAndADefaultThatParsesBack() {
        assertEquals(55, ParamKeys.all().size());
        for (ParamKey<?> k : ParamKeys.all()) {
            assertFalse(k.help().isBlank(), k.name());
            assertFalse(k.paperValue().isBlank(), k.name());
            assertEquals(k.defaultValue(), k.parse(k.format(k.defaultValue())), k.name());
            assertTrue(ParamKeys.SECTIONS.contains(k.section()), k.name());
            assertEquals(k, ParamKeys.get(k.name()));
        }
        assertTrue(ParamKeys.COMPRESSION_DIM.help().contains("§5.1"));
        assertEquals(ParamKeys.all().size(), PipelineParams.defaults().flat().size());
    }
}

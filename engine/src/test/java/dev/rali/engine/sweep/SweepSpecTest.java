package dev.rali.engine.sweep;

import dev.rali.engine.params.ParamException;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepSpecTest {
    private static final PipelineParams BASE = PipelineParams.defaults()
            .with(ParamKeys.COMPRESSION_DIM, 16).with(ParamKeys.BASES_COUNT, 20).with(ParamKeys.BUCKETS, 15);

    @Test
    void gridIsEveryCombinationTimesSeedsWithTypedValuesAndSeedOffsets() {
        SweepSpec s = SweepSpec.grid("g", BASE, "compression.dim=8,16;bases.count=10,20,30", 2,
                SweepSpec.EarlyStop.OFF);
        assertEquals(6, s.settings().size());
        assertEquals(12, s.size());
        assertEquals(Map.of("compression.dim", 8, "bases.count", 10), s.settings().get(0).assignment());
        assertEquals(Map.of("compression.dim", 16, "bases.count", 30), s.settings().get(5).assignment());
        var pts = s.points();
        assertEquals(12, pts.size());
        long seed = BASE.get(ParamKeys.SEED);
        assertEquals(List.of(seed, seed + 1), List.of(pts.get(0).seed(), pts.get(1).seed()));
        PipelineParams p3 = PipelineParams.fromJson(pts.get(3).paramsJson());
        assertEquals(20, p3.get(ParamKeys.BASES_COUNT));
        assertEquals(8, p3.get(ParamKeys.COMPRESSION_DIM));
        assertEquals(15, p3.get(ParamKeys.BUCKETS), "unswept keys keep the base value");
        assertEquals(seed + 1, p3.get(ParamKeys.SEED));
    }

    @Test
    void gridRefusesUnknownKeysAndBadValuesNamingThem() {
        var unknown = assertThrows(ParamException.class, () -> SweepSpec.grid("g", BASE, "compresion.dim=8,16", 1,
                SweepSpec.EarlyStop.OFF));
        assertTrue(unknown.getMessage().contains("'compresion.dim'") && unknown.getMessage().contains(
                "did you mean 'compression.dim'"), unknown.getMessage());
        var notInt = assertThrows(ParamException.class, () -> SweepSpec.grid("g", BASE, "bases.count=10,ten", 1,
                SweepSpec.EarlyStop.OFF));
        assertTrue(notInt.getMessage().startsWith("bases.count: 'ten' is not an integer"), notInt.getMessage());
        var range = assertThrows(ParamException.class, () -> SweepSpec.grid("g", BASE, "bases.count=0", 1,
                SweepSpec.EarlyStop.OFF));
        assertTrue(range.getMessage().contains("bases.count"), range.getMessage());
        var twice = assertThrows(ParamException.class, () -> SweepSpec.grid("g", BASE, "bases.count=1;bases.count=2",
                1, SweepSpec.EarlyStop.OFF));
        assertTrue(twice.getMessage().contains("given twice"), twice.getMessage());
        assertThrows(ParamException.class, () -> SweepSpec.grid("g", BASE, "bases.count=", 1, SweepSpec.EarlyStop.OFF));
        assertThrows(ParamException.class, () -> SweepSpec.grid("g", BASE, "  ", 1, SweepSpec.EarlyStop.OFF));
        // a combination that only fails as a whole (scoreMax below scoreMin) is refused too
        var whole = assertThrows(ParamException.class, () -> SweepSpec.grid("g", BASE, "bases.scoreMax=0.5", 1,
                SweepSpec.EarlyStop.OFF));
        assertTrue(whole.getMessage().contains("bases.scoreMax"), whole.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SweepSpec.grid("g", BASE, "bases.count=5", 0,
                SweepSpec.EarlyStop.OFF));
    }

    @Test
    void randomDrawsAreSeededWithinTheSpaceAndBadSpacesAreRefused() {
        String space = "{\"compression.dim\": [8, 16, 32], \"scoreDefinition.lr\": {\"min\": 0.001, \"max\": 0.1, "
                + "\"log\": true}, \"bases.count\": {\"min\": 5, \"max\": 40}}";
        SweepSpec a = SweepSpec.random("r", BASE, 20, space, "space.json", 7, 1, SweepSpec.EarlyStop.OFF);
        SweepSpec b = SweepSpec.random("r", BASE, 20, space, "space.json", 7, 1, SweepSpec.EarlyStop.OFF);
        assertEquals(a.points(), b.points(), "same draw seed, same points");
        for (SweepSpec.Setting s : a.settings()) {
            assertTrue(List.of(8, 16, 32).contains(s.assignment().get("compression.dim")), s.assignment().toString());
            double lr = ((Number) s.assignment().get("scoreDefinition.lr")).doubleValue();
            assertTrue(lr >= 0.001 && lr <= 0.1, "lr " + lr);
            int k = (Integer) s.assignment().get("bases.count");
            assertTrue(k >= 5 && k <= 40, "K " + k);
        }
        assertFalse(a.settings().stream().map(s -> s.assignment().get("bases.count")).distinct().count() < 5,
                "draws vary");
        var unknown = assertThrows(ParamException.class, () -> SweepSpec.random("r", BASE, 3, "{\"bases.cnt\": [1]}",
                "space.json", 0, 1, SweepSpec.EarlyStop.OFF));
        assertTrue(unknown.getMessage().startsWith("space.json: unknown parameter 'bases.cnt'"), unknown.getMessage());
        var badRange = assertThrows(ParamException.class, () -> SweepSpec.random("r", BASE, 3,
                "{\"bases.count\": {\"min\": 10, \"max\": 5}}", "space.json", 0, 1, SweepSpec.EarlyStop.OFF));
        assertTrue(badRange.getMessage().contains("must be above min"), badRange.getMessage());
        var textRange = assertThrows(ParamException.class, () -> SweepSpec.random("r", BASE, 3,
                "{\"data.trainSplit\": {\"min\": 1, \"max\": 5}}", "space.json", 0, 1, SweepSpec.EarlyStop.OFF));
        assertTrue(textRange.getMessage().contains("needs a numeric key"), textRange.getMessage());
        var badChoice = assertThrows(ParamException.class, () -> SweepSpec.random("r", BASE, 3,
                "{\"bases.count\": [5, \"many\"]}", "space.json", 0, 1, SweepSpec.EarlyStop.OFF));
        assertTrue(badChoice.getMessage().contains("bases.count"), badChoice.getMessage());
        assertThrows(ParamException.class, () -> SweepSpec.random("r", BASE, 3, "{not json", "space.json", 0, 1,
                SweepSpec.EarlyStop.OFF));
    }

    @Test
    void table4PresetAppliesEachAblationOnTopOfTheBase() {
        SweepSpec s = SweepSpec.table4("t4", BASE, 1, SweepSpec.EarlyStop.OFF);
        assertEquals(6, s.settings().size());
        SweepSpec.Setting noPca = s.settings().stream().filter(x -> "no_pca".equals(x.label())).findFirst()
                .orElseThrow();
        assertEquals(false, noPca.params().get(ParamKeys.COMPRESSION_ENABLED));
        assertEquals(20, noPca.params().get(ParamKeys.BASES_COUNT), "the base's scaled K stays");
        assertEquals(2, noPca.paperCase());
        SweepSpec.Setting noAlign = s.settings().stream().filter(x -> "no_alignment".equals(x.label())).findFirst()
                .orElseThrow();
        assertEquals(false, noAlign.params().get(ParamKeys.ALIGNMENT_ENABLED));
        assertEquals(1, noAlign.paperCase());
    }

    @Test
    void tableA5PresetScalesThePapersCasesByTheBaseSettingAndStatesTheRule() {
        SweepSpec s = SweepSpec.tableA5("a5", BASE, 64, 1, SweepSpec.EarlyStop.OFF);
        assertEquals(10, s.settings().size());
        // case 1: 256 / 100 / 90 without score definition → 16×256/512 = 8, 20×100/250 = 8, 15×90/240 = 5.6 → 6
        assertEquals(Map.of("scoreDefinition.enabled", false, "compression.dim", 8, "bases.count", 8,
                "bases.buckets", 6), s.settings().get(0).assignment());
        // case 8 is the base itself
        assertEquals(Map.of("scoreDefinition.enabled", true, "compression.dim", 16, "bases.count", 20,
                "bases.buckets", 15), s.settings().get(7).assignment());
        // case 10: M 700 → 21.9 → 22
        assertEquals(22, s.settings().get(9).assignment().get("compression.dim"));
        assertTrue(s.scalingRule().contains("M × 16/512") && s.scalingRule().contains("embedding dimension 64"),
                s.scalingRule());
        assertTrue(s.toJson().contains("\"scaling_rule\""));
    }

    @Test
    void embeddingDimReadsTheBaseEncodersProjectionWidthSoTableA5CapsPcaAtIt(@TempDir Path dir) throws Exception {
        Path enc = Files.createDirectories(dir.resolve("clip"));
        Files.writeString(enc.resolve("config.json"), "{\"model_type\": \"clip\", \"projection_dim\": 12}");
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            assertEquals(0, SweepSpec.embeddingDim(store, BASE), "no encoder yet: M is not capped");
            new ProjectSettings(store).put(ProjectSettings.BASE_ENCODER, enc.toString());
            assertEquals(12, SweepSpec.embeddingDim(store, BASE), "the project's base encoder");
            PipelineParams named = BASE.with(ParamKeys.ENCODER_BASE, dir.resolve("missing").toString());
            assertEquals(0, SweepSpec.embeddingDim(store, named), "encoder.base wins; unreadable → 0");
            // case 10's M (700 → 22 at this base) is capped at the encoder's 12 dimensions
            SweepSpec a5 = SweepSpec.tableA5("a5", BASE, SweepSpec.embeddingDim(store, BASE), 1,
                    SweepSpec.EarlyStop.OFF);
            assertEquals(12, a5.settings().get(9).assignment().get("compression.dim"));
        }
    }
}

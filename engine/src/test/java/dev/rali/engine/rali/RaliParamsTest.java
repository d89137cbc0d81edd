package dev.rali.engine.rali;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class RaliParamsTest {

    @Test
    void defaultsAreThePapersValues() {
        RaliParams p = RaliParams.defaults();
        assertEquals(512, p.compression.dim);
        assertEquals(240, p.bases.buckets);
        assertEquals(250, p.bases.count);
        assertEquals(1.0, p.bases.scoreMin);
        assertEquals(5.0, p.bases.scoreMax);
        assertEquals(3e-2, p.scoreDefinition.lr);
        assertEquals(1e-5, p.alignment.lr);
        assertEquals(32, p.alignment.batchSize);
        assertEquals(0.07, p.scoreDefinition.tauInit);
        assertEquals(RaliParams.Loss.MSE, p.scoreDefinition.loss);
        assertTrue(p.bases.bucketed && p.compression.enabled && p.scoreDefinition.enabled && p.alignment.enabled);
    }

    @Test
    void jsonRoundTripKeepsEveryField() {
        RaliParams p = RaliParams.ablation("plain_kmeans");
        p.scoreDefinition.loss = RaliParams.Loss.PLCC;
        p.scoreDefinition.tauInit = 1.0;
        p.bases.allocation = RaliParams.Allocation.UNIFORM;
        p.seed = 7;
        RaliParams q = RaliParams.fromJson(p.toJson());
        assertEquals(p.toJson(), q.toJson());
        assertEquals(p, q);
        assertFalse(q.bases.bucketed);
        assertEquals(RaliParams.Allocation.UNIFORM, q.bases.allocation);
    }

    @Test
    void missingKeysKeepDefaultsAndEnumsAreCaseInsensitive() {
        RaliParams p = RaliParams.fromJson("{\"scoreDefinition\":{\"loss\":\"l1\",\"epochs\":3}}");
        assertEquals(RaliParams.Loss.L1, p.scoreDefinition.loss);
        assertEquals(3, p.scoreDefinition.epochs);
        assertEquals(250, p.bases.count);
    }

    @Test
    void badJsonAndBadValuesGiveClearErrors() {
        var e1 = assertThrows(IllegalArgumentException.class, () -> RaliParams.fromJson("{\"bases\":{\"cuont\":3}}"));
        assertTrue(e1.getMessage().contains("cuont"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> RaliParams.fromJson("{\"bases\":{\"count\":0}}"));
        assertTrue(e2.getMessage().contains("bases.count"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RaliParams.fromJson("{not json"));
        assertThrows(IllegalArgumentException.class, () -> RaliParams.fromJson(
                "{\"scoreDefinition\":{\"tauInit\":-1}}"));
    }

    @Test
    void ablationsSwitchTheirStageOff() {
        assertFalse(RaliParams.ablation("no_alignment").alignment.enabled);
        assertFalse(RaliParams.ablation("no_alignment").alignment.seedAugmentation);
        assertFalse(RaliParams.ablation("no_pca").compression.enabled);
        assertFalse(RaliParams.ablation("plain_kmeans").bases.bucketed);
        assertFalse(RaliParams.ablation("no_seed_augmentation").alignment.seedAugmentation);
        assertTrue(RaliParams.ablation("no_seed_augmentation").alignment.enabled);
        assertFalse(RaliParams.ablation("no_score_definition").scoreDefinition.enabled);
        RaliParams full = RaliParams.ablation("full");
        assertEquals(RaliParams.defaults().toJson(), full.toJson());
        var e = assertThrows(IllegalArgumentException.class, () -> RaliParams.ablation("nope"));
        assertTrue(e.getMessage().contains("no_pca"));
        for (String a : RaliParams.ABLATIONS) {
            assertEquals(a, RaliParams.ablation(a).ablation);
            RaliParams.ablation(a).validate();
        }
    }

    @Test
    void copyIsIndependent() {
        RaliParams p = RaliParams.defaults();
        RaliParams q = p.copy();
        q.bases.count = 100;
        assertEquals(250, p.bases.count);
    }
}

package dev.rali.engine.cli;

import dev.rali.engine.params.ParamKey;
import dev.rali.engine.params.ParamKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rali run}'s parameter handling: refused before any work starts, and the listing needs no project. */
class RunCommandTest {
    @TempDir
    Path dir;

    /** A project path that does not exist: a parameter error must come before "no such project". */
    private String project() {
        return dir.resolve("absent.rali").toString();
    }

    @Test
    void unknownKeyIsRefusedBeforeTheProjectIsOpenedWithASuggestion() {
        CliRun.Result r = CliRun.exec("run", "--project", project(), "--set", "nonsense.key=1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown parameter 'nonsense.key'; did you mean '"), r.err());
        assertFalse(r.err().contains("no such project"), r.err());
        assertFalse(Files.exists(dir.resolve("absent.rali")));

        r = CliRun.exec("run", "--project", project(), "--set", "bases.cuont=3");
        assertTrue(r.err().contains("unknown parameter 'bases.cuont'; did you mean 'bases.count'?"), r.err());
        r = CliRun.exec("run", "--project", project(), "--set", "seed=3");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("did you mean 'run.seed'?"), r.err());
        r = CliRun.exec("run", "--project", project(), "--set", "data.score_dataset=koniq");
        assertTrue(r.err().contains("did you mean 'data.scoreDataset'?"), r.err());
    }

    @Test
    void wrongTypeAndOutOfRangeValuesNameTheKey() {
        CliRun.Result r = CliRun.exec("run", "--project", project(), "--set", "bases.count=abc");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bases.count: 'abc' is not an integer (expected integer ≥ 1)"), r.err());
        r = CliRun.exec("run", "--project", project(), "--set", "bases.count=0");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bases.count: 0 is out of range (allowed: integer ≥ 1)"), r.err());
        r = CliRun.exec("run", "--project", project(), "--set", "scoreDefinition.valFraction=1");
        assertTrue(r.err().contains("scoreDefinition.valFraction: 1.0 is out of range (allowed: number in [0, 1))"),
                r.err());
        r = CliRun.exec("run", "--project", project(), "--set", "scoreDefinition.loss=huber");
        assertTrue(r.err().contains("scoreDefinition.loss: 'huber' is not allowed (one of MSE, L1, PLCC)"), r.err());
        r = CliRun.exec("run", "--project", project(), "--set", "bases.scoreMin=6");
        assertTrue(r.err().contains("bases.scoreMax: 5.0 must be above bases.scoreMin (6.0)"), r.err());
        assertFalse(r.err().contains("no such project"), r.err());
    }

    @Test
    void misspeltSectionInAParamsFileIsRefusedNamingTheFile() throws Exception {
        Path params = dir.resolve("p.json");
        Files.writeString(params, "{\"bsaes\": {\"count\": 100}}");
        CliRun.Result r = CliRun.exec("run", "--project", project(), "--params", params.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(params + ": unknown parameter section 'bsaes'; did you mean 'bases'?"), r.err());
        Files.writeString(params, "{\"bases\": {\"count\": \"many\"}}");
        r = CliRun.exec("run", "--project", project(), "--params", params.toString());
        assertTrue(r.err().contains(params + ": bases.count: 'many' is not an integer"), r.err());
        Files.writeString(params, "{\"bases\": {\"count\": 2.5}}");
        r = CliRun.exec("run", "--project", project(), "--params", params.toString());
        assertTrue(r.err().contains(params + ": bases.count: expected integer ≥ 1, got the number 2.5"), r.err());
    }

    @Test
    void aTagWithACommaIsRefusedBeforeTheProjectIsOpened() {
        CliRun.Result r = CliRun.exec("run", "--project", project(), "--name", "base", "--tag", "a,b");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--tag 'a,b' contains a comma"), r.err());
        assertFalse(r.err().contains("no such project"), r.err());
    }

    @Test
    void validParametersGetAsFarAsOpeningTheProject() {
        CliRun.Result r = CliRun.exec("run", "--project", project(), "--set", "data.scoreDataset=koniq",
                "--set", "bases.count=100", "--set", "data.alignDatasets=koniq,spaq", "--ablation", "no_pca");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no such project"), r.err());
    }

    @Test
    void showDefaultsNeedsNoProjectAndListsEveryKey() {
        CliRun.Result r = CliRun.exec("run", "--show-defaults");
        assertEquals(0, r.code(), r.err());
        for (ParamKey<?> k : ParamKeys.all()) {
            assertTrue(r.out().contains("\n" + k.name() + " = "), "missing " + k.name());
            assertTrue(r.out().contains(k.help()), "help of " + k.name());
        }
        assertTrue(r.out().contains("bases.count = 250\n    type: integer ≥ 1; paper: 250 (§5.1)\n"), r.out());
        assertTrue(r.out().contains("scoreDefinition.loss = MSE\n    type: one of MSE, L1, PLCC;"), r.out());
        assertTrue(r.out().contains("data.scoreDataset = \"\"\n"), r.out());
    }

    @Test
    void runWithoutProjectOrShowDefaultsIsAUsageError() {
        CliRun.Result r = CliRun.exec("run");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Missing required option: '--project=<project>'"), r.err());
    }
}

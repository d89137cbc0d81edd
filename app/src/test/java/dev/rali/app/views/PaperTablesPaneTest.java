package dev.rali.app.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.Runs.RunItem;
import org.junit.jupiter.api.Test;

/** Which runs Results' Table 4 averages: the same setting, any seed. */
class PaperTablesPaneTest {

    private static RunItem run(long id, PipelineParams p) {
        return new RunItem(id, "pipeline", p.toJson(), p.get(ParamKeys.SEED), "dev", null, null, null, "done", "");
    }

    @Test
    void runsThatDifferOnlyInSeedAreOneSettingAndAnyOtherKeyMakesAnother() {
        PipelineParams base = PipelineParams.defaults();
        String a = PaperTablesPane.settingKey(run(1, base.with(ParamKeys.SEED, 42L)));
        assertEquals(a, PaperTablesPane.settingKey(run(2, base.with(ParamKeys.SEED, 43L))));
        assertNotEquals(a, PaperTablesPane.settingKey(run(3, base.with(ParamKeys.SEED, 42L)
                .with(ParamKeys.BASES_COUNT, 7))));
        assertEquals("", PaperTablesPane.settingKey(new RunItem(4, "pipeline", null, null, "dev", null, null, null,
                "done", "")), "no parameters: one setting of its own kind");
    }
}

package dev.rali.app.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.Runs.RunItem;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which run the Pipeline form starts from when a project opens. */
class FormSeedTest {
    static RunItem run(long id, PipelineParams p) {
        return new RunItem(id, "pipeline", p.toJson(), 0L, "v", null, "t0", "t1", "done", null);
    }

    @Test
    void theNewestFullRunThatIsNoSweepPointWins() {
        var seed = PipelineView.seedCandidate(List.of(run(9, PipelineParams.ablation("no_score_definition")),
                run(8, PipelineParams.defaults().with(ParamKeys.BASES_COUNT, 3)), run(7, PipelineParams.defaults())),
                Set.of(8L));
        assertEquals(7, seed.run().id());
        assertEquals(" — the newest full run (run 9, ablation no_score_definition is newer)", seed.why());
    }

    @Test
    void theNewestRunItselfNeedsNoExplanation() {
        var seed = PipelineView.seedCandidate(List.of(run(2, PipelineParams.defaults())), Set.of());
        assertEquals(2, seed.run().id());
        assertEquals("", seed.why());
    }

    @Test
    void withOnlyAblationsTheNewestIsTakenAndTheFormSaysSo() {
        var seed = PipelineView.seedCandidate(List.of(run(5, PipelineParams.ablation("no_pca")),
                run(4, PipelineParams.ablation("plain_kmeans"))), Set.of());
        assertEquals(5, seed.run().id());
        assertEquals(" — run 5, ablation no_pca; no full run yet", seed.why());
        assertNull(PipelineView.seedCandidate(List.of(), Set.of()));
    }
}

package dev.rali.engine.project;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunEnvironmentTest {

    private static RunEnvironment env(String device, String precision) {
        return new RunEnvironment("0.1.0 (abc)", "Eclipse Adoptium 17.0.15", "Linux amd64", "Some CPU", 16, true,
                "from /venv/torch/lib", device, 16, precision, "fp32");
    }

    @Test
    void aRunShowsEachDistinctPlaceItRanInOrderAndSkipsRecordsThatAreGoneOrUnreadable(@TempDir Path dir)
            throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"));
             RunRecords run = RunRecords.begin(store, "pipeline", "{}", 1L)) {
            Path runDir = dir.resolve("envs");
            run.artifact(RunEnvironment.KIND, env("cpu()", "fp32").write(runDir, "a.json"));
            run.artifact(RunEnvironment.KIND, env("cpu()", "fp32").write(runDir, "b.json")); // resumed, same place
            run.artifact(RunEnvironment.KIND, env("gpu(0)", "bf16").write(runDir, "c.json")); // resumed on a GPU
            Path broken = runDir.resolve("d.json");
            Files.writeString(broken, "{not json");
            run.artifact(RunEnvironment.KIND, broken);
            Path gone = env("gpu(1)", "fp32").write(runDir, "e.json");
            run.artifact(RunEnvironment.KIND, gone);
            Files.delete(gone);
            run.artifact("table", Files.writeString(runDir.resolve("results.csv"), "x\n"));

            List<RunEnvironment> envs = new Runs(store).environments(run.runId());
            assertEquals(List.of(env("cpu()", "fp32"), env("gpu(0)", "bf16")), envs);
            String text = RunEnvironment.describe(envs);
            assertTrue(text.startsWith("Ran on: cpu() · libtorch from /venv/torch/lib"), text);
            assertTrue(text.contains("; then gpu(0)") && text.contains("encoder bf16"), text);
            run.finish(RunRecords.DONE, "ok");
        }
    }

    @Test
    void runsFromBeforeTheRecordSaySo() {
        assertTrue(RunEnvironment.describe(List.of()).contains("not recorded"));
    }
}

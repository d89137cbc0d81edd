package dev.rali.engine.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.dataset.DatasetSummary;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.Runs;
import dev.rali.engine.rali.HeadParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code rali export}: turns a finished pipeline run into a self-contained model bundle (aligned encoder in HF
 * layout + {@code rali.safetensors} + manifest with the run's parameters, training-data summary and metrics).
 */
public final class BundleExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BundleExport() { }

    /**
     * Exports run {@code runId} to the bundle folder {@code out}. The path is checked first: never the project file,
     * its {@code .rali.d} folder or anything inside them, never an existing folder or file that is not a bundle;
     * an existing bundle is replaced only with {@code replace}.
     */
    public static ModelBundle export(ProjectStore store, long runId, Path out, boolean replace) throws IOException {
        ModelBundle.outputPath(out).protectProject(store.file()).force(replace).check();
        try {
            Runs runs = new Runs(store);
            Runs.RunItem run = runs.get(runId);
            Map<String, Path> artifacts = new HashMap<>();
            for (Runs.Artifact a : runs.artifacts(runId)) {
                artifacts.put(a.kind(), a.path()); // a kind recorded twice: the later one counts
            }
            Path encoder = artifacts.containsKey("encoder") ? artifacts.get("encoder").getParent() : null;
            Path head = artifacts.get("head");
            if (encoder == null || head == null) {
                throw new IllegalArgumentException("run " + runId + " (" + run.stage() + ", " + run.status()
                        + ") has no trained encoder + head to export; export a finished pipeline or head run");
            }
            String params = run.paramsJson();
            ObjectNode info = JSON.createObjectNode();
            info.put("project", store.file().toString());
            info.put("run", runId);
            PipelineParams recorded = recorded(params);
            info.set("params", recorded == null ? JSON.readTree(params) : JSON.valueToTree(recorded.toMap()));
            Path results = artifacts.get("table");
            if (results != null) {
                Path json = results.resolveSibling("results.json");
                if (Files.exists(json)) {
                    info.set("metrics", JSON.readTree(json.toFile()));
                }
            }
            info.set("training_data", trainingSummary(store, recorded));
            // where the exported run computed (the last start's record; none for older runs): a bundle trained on a
            // GPU or in bf16 scores slightly differently from one trained on a CPU in fp32
            List<dev.rali.engine.project.RunEnvironment> envs = runs.environments(runId);
            if (!envs.isEmpty()) {
                info.set("environment", JSON.valueToTree(envs.get(envs.size() - 1)));
            }
            return ModelBundle.write(out, encoder, HeadParams.read(head), info);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        }
    }

    /** The run's recorded parameters in today's spelling (older runs are migrated), or null if they don't parse. */
    static PipelineParams recorded(String paramsJson) {
        try {
            return PipelineParams.fromJson(paramsJson);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Images per dataset and split (datasets by name, splits in name order), plus which datasets trained. */
    private static ObjectNode trainingSummary(ProjectStore store, PipelineParams params) throws SQLException {
        ObjectNode out = JSON.createObjectNode();
        for (DatasetSummary d : Datasets.list(store)) {
            if (d.splits().isEmpty()) {
                continue; // a dataset without images has nothing to say about training data
            }
            ObjectNode ds = out.putObject(d.name());
            ds.put("layout", d.layout());
            d.splits().forEach((split, n) -> ds.put(split, (long) n));
        }
        if (params != null) {
            out.put("score_dataset", params.data().scoreDataset());
            params.data().alignDatasets().forEach(out.withArray("align_datasets")::add);
        }
        return out;
    }
}

package dev.rali.engine.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.rali.HeadParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code rali export}: turns a finished pipeline run into a self-contained model bundle (aligned encoder in HF
 * layout + {@code rali.safetensors} + manifest with the run's parameters, training-data summary and metrics).
 */
public final class BundleExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BundleExport() { }

    public static ModelBundle export(ProjectStore store, long runId, Path out) throws IOException {
        try {
            String params;
            String stage;
            String status;
            try (PreparedStatement ps = store.connection().prepareStatement(
                    "SELECT params_json, stage, status FROM runs WHERE id=?")) {
                ps.setLong(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalArgumentException(store.file() + ": no run " + runId
                                + " (see `rali runs --project " + store.file() + "`)");
                    }
                    params = rs.getString(1);
                    stage = rs.getString(2);
                    status = rs.getString(3);
                }
            }
            Map<String, Path> artifacts = new HashMap<>();
            try (PreparedStatement ps = store.connection().prepareStatement(
                    "SELECT kind, path FROM artifacts WHERE run_id=? ORDER BY id")) {
                ps.setLong(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        artifacts.put(rs.getString(1), store.artifactDir().resolve(rs.getString(2)));
                    }
                }
            }
            Path encoder = artifacts.containsKey("encoder") ? artifacts.get("encoder").getParent() : null;
            Path head = artifacts.get("head");
            if (encoder == null || head == null) {
                throw new IllegalArgumentException("run " + runId + " (" + stage + ", " + status
                        + ") has no trained encoder + head to export; export a finished pipeline or head run");
            }
            ObjectNode info = JSON.createObjectNode();
            info.put("project", store.file().toString());
            info.put("run", runId);
            info.set("params", JSON.readTree(params));
            Path results = artifacts.get("table");
            if (results != null) {
                Path json = results.resolveSibling("results.json");
                if (Files.exists(json)) {
                    info.set("metrics", JSON.readTree(json.toFile()));
                }
            }
            info.set("training_data", trainingSummary(store, JSON.readTree(params)));
            return ModelBundle.write(out, encoder, HeadParams.read(head), info);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode trainingSummary(ProjectStore store, JsonNode params) throws SQLException {
        ObjectNode out = JSON.createObjectNode();
        try (PreparedStatement ps = store.connection().prepareStatement(
                "SELECT d.name, d.layout, i.split, COUNT(*) FROM images i JOIN datasets d ON d.id = i.dataset_id "
                        + "GROUP BY d.name, d.layout, i.split ORDER BY d.name, i.split");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ObjectNode ds = out.has(rs.getString(1)) ? (ObjectNode) out.get(rs.getString(1))
                        : out.putObject(rs.getString(1));
                ds.put("layout", rs.getString(2));
                ds.put(rs.getString(3), rs.getLong(4));
            }
        }
        out.set("score_dataset", params.path("data").path("score_dataset"));
        out.set("align_datasets", params.path("data").path("align_datasets"));
        return out;
    }
}

package dev.rali.engine.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The official release → a RALI model bundle in one call (what {@code rali import-official} runs): read the
 * release, export its aligned CLIP (best/ + ckpt.pt's clip.*), map their head onto ours and write the bundle with
 * a manifest recording where each value came from.
 */
public final class OfficialImport {
    private OfficialImport() { }

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ModelBundle toBundle(Path releaseDir, Path out, OfficialRelease.LogitScale mode, TaskContext ctx)
            throws IOException {
        Path abs = out.toAbsolutePath().normalize();
        Path clipTmp = abs.resolveSibling(abs.getFileName() + ".clip-tmp");
        deleteRecursively(clipTmp);
        try (OfficialRelease release = OfficialRelease.read(releaseDir)) {
            ctx.log("official release: " + release.provenance());
            checkProjection(release);
            OfficialClipExport.Result clip = OfficialClipExport.export(release, clipTmp, ctx);
            ctx.log("official release: CLIP tensors from best/ " + clip.fromBest() + ", from ckpt.pt " + clip.fromCheckpoint()
                    + (clip.extra().isEmpty() ? "" : ", ckpt-only " + clip.extra()));
            ObjectNode info = JSON.createObjectNode();
            ObjectNode src = info.putObject("source");
            src.put("kind", "official-release");
            src.put("path", releaseDir.toAbsolutePath().toString());
            src.put("logit_scale_stored", release.logitScale());
            src.put("logit_scale_mode", mode.name().toLowerCase(java.util.Locale.ROOT));
            release.provenance().forEach((k, v) -> src.with("provenance").put(k, v));
            src.put("clip_from_best", clip.fromBest());
            src.put("clip_from_checkpoint", clip.fromCheckpoint());
            return ModelBundle.write(abs, clipTmp, release.toHeadParams(mode), info);
        } finally {
            deleteRecursively(clipTmp);
        }
    }

    /** The head's input dimension must equal the CLIP's projection_dim (768 for ViT-L/14). */
    static void checkProjection(OfficialRelease release) throws IOException {
        Path best = release.bestDir();
        if (best == null || !Files.isRegularFile(best.resolve("config.json"))) {
            return;
        }
        JsonNode cfg = JSON.readTree(best.resolve("config.json").toFile());
        JsonNode pd = cfg.path("projection_dim");
        if (pd.isNumber() && pd.asInt() != release.pcaMean().length) {
            throw new IOException(best.resolve("config.json") + ": projection_dim is " + pd.asInt() + " but the release's PCA"
                    + " expects " + release.pcaMean().length + "-d embeddings (pca.pkl)");
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}

package dev.rali.engine.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.clip.ClipConfig;
import dev.rali.engine.clip.ClipWeights;
import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The official release → a RALI model bundle in one call (what {@code rali import-official} runs): read the
 * release, export its aligned CLIP (best/ + ckpt.pt's clip.*), map their head onto ours and write the bundle with
 * a manifest recording where each value came from.
 */
public final class OfficialImport {
    private OfficialImport() { }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Converts the release in {@code releaseDir} into the bundle {@code out}. The output path is checked before
     * anything is read ({@link ModelBundle#outputPath}: an existing bundle is replaced only with {@code replace},
     * anything else is refused, as is a path inside the release), and the exported CLIP must be complete — every
     * tensor its config.json implies — so a broken release fails here, not at the first scoring.
     */
    public static ModelBundle toBundle(Path releaseDir, Path out, OfficialRelease.LogitScale mode, boolean replace,
                                       TaskContext ctx) throws IOException {
        Path abs = ModelBundle.outputPath(out).protect(releaseDir, "the release folder " + releaseDir)
                .force(replace).check();
        Path clipTmp = null;
        try (OfficialRelease release = OfficialRelease.read(releaseDir)) {
            ctx.log("official release: " + release.provenance());
            checkProjection(release);
            clipTmp = AtomicFiles.newFolder(abs.getParent(), "." + abs.getFileName() + ".clip-");
            OfficialClipExport.Result clip = OfficialClipExport.export(release, clipTmp, ctx);
            checkComplete(release, clipTmp);
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
            if (clipTmp != null) {
                AtomicFiles.deleteRecursively(clipTmp);
            }
        }
    }

    /**
     * The merged CLIP (best/ + ckpt.pt's clip.*) must hold every tensor best/config.json implies, in the right
     * shape: the same check the scorer's loader makes, run at import time and naming the release's files.
     */
    static void checkComplete(OfficialRelease release, Path clipDir) throws IOException {
        ClipConfig cfg;
        try {
            cfg = ClipConfig.read(clipDir.resolve("config.json"));
        } catch (IOException e) {
            throw new IOException(release.bestDir().resolve("config.json") + ": "
                    + e.getMessage().replace(clipDir.resolve("config.json") + ": ", ""), e);
        }
        try (ClipWeights w = ClipWeights.open(clipDir, cfg)) {
            w.expected(); // opening checked presence and shape of every tensor
        } catch (IOException e) {
            // ClipWeights lists every problem; for a folder missing most of its weights keep the first few
            String[] lines = e.getMessage().replace(clipDir.toString() + ": ", "").split("\n");
            StringBuilder msg = new StringBuilder(lines[0]);
            for (int i = 1; i < Math.min(lines.length, 6); i++) {
                msg.append('\n').append(lines[i]);
            }
            if (lines.length > 6) {
                msg.append("\n  ... and ").append(lines.length - 6).append(" more");
            }
            throw new IOException(release.dir() + ": incomplete CLIP in best/ (with ckpt.pt's clip.* tensors), "
                    + "refusing to import it: " + msg, e);
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
}

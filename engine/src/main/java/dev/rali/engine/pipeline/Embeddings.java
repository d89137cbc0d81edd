package dev.rali.engine.pipeline;

import dev.rali.engine.clip.ClipImagePreprocessor;
import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.dataset.ImageRow;
import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.rali.EmbeddingCache;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage C.1: image embeddings with a given encoder, cached on disk under the project's artifact folder, keyed by
 * image content hash and encoder hash — each image is embedded once per encoder, whatever dataset or run asks.
 * The encoder is loaded only when something is missing from the cache. Unreadable images are reported and
 * left out (the caller sees fewer rows), never given an invented embedding.
 */
final class Embeddings implements AutoCloseable {
    private final Path encoderDir;
    private final String device;
    private final int batch;
    private final EmbeddingCache cache;
    private ClipModel model;
    private ClipImagePreprocessor pre;

    Embeddings(ProjectStore store, Path encoderDir, String encoderId, String device, int batch) throws IOException {
        this.encoderDir = encoderDir;
        this.device = device;
        this.batch = Math.max(1, batch);
        this.cache = EmbeddingCache.open(store.artifactDir().resolve("embeddings"), encoderId);
    }

    /** Embeddings by image id for {@code rows}; computes and caches what is missing. */
    Map<Long, float[]> of(List<ImageRow> rows, TaskContext ctx) throws IOException {
        Map<Long, float[]> out = new LinkedHashMap<>();
        List<ImageRow> missing = new ArrayList<>();
        for (ImageRow r : rows) {
            float[] e = cache.get(r.contentHash());
            if (e != null) {
                out.put(r.id(), e);
            } else {
                missing.add(r);
            }
        }
        if (missing.isEmpty()) {
            return out;
        }
        if (model == null) {
            model = ClipModel.load(encoderDir, ClipLoadOptions.defaults().withDevice(device));
            pre = ClipImagePreprocessor.fromModelDir(encoderDir);
        }
        int done = 0;
        for (int s = 0; s < missing.size(); s += batch) {
            ctx.checkCancelled();
            List<ImageRow> chunk = missing.subList(s, Math.min(missing.size(), s + batch));
            List<ImageRow> ok = new ArrayList<>();
            List<float[]> px = new ArrayList<>();
            for (ImageRow r : chunk) {
                try {
                    px.add(pre.preprocess(ImageLoader.load(r.path())));
                    ok.add(r);
                } catch (IOException | RuntimeException e) {
                    ctx.log("embed: skipped " + r.path() + ": " + e.getMessage());
                }
            }
            if (!ok.isEmpty()) {
                int n = px.get(0).length;
                float[] pixels = new float[n * ok.size()];
                for (int i = 0; i < ok.size(); i++) {
                    System.arraycopy(px.get(i), 0, pixels, i * n, n);
                }
                float[][] e = model.embedImages(pixels, ok.size());
                Map<String, float[]> fresh = new HashMap<>();
                for (int i = 0; i < ok.size(); i++) {
                    fresh.put(ok.get(i).contentHash(), e[i]);
                    out.put(ok.get(i).id(), e[i]);
                }
                cache.putAll(fresh); // persisted per batch: a killed run keeps what it embedded
            }
            done += chunk.size();
            ctx.progress("embed", done, missing.size(), "");
        }
        return out;
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
        }
    }
}

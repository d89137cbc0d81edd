package dev.rali.engine.pipeline;

import dev.rali.engine.clip.ClipImagePreprocessor;
import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.dataset.ImageRow;
import dev.rali.engine.image.BatchDecoder;
import dev.rali.engine.image.ImageLoadException;
import dev.rali.engine.project.ProjectStore;
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
        // No lookahead: the pipeline's embeddings (and so its heads and tables) stay reproducible run to run.
        try (BatchDecoder<float[]> batches = new BatchDecoder<>(missing.stream().map(ImageRow::path).toList(), batch,
                (k, img) -> pre.preprocess(img), false)) {
            while (batches.hasNext()) {
                ctx.checkCancelled();
                List<BatchDecoder.Item<float[]>> items = batches.next();
                List<ImageRow> ok = new ArrayList<>();
                List<float[]> px = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    BatchDecoder.Item<float[]> it = items.get(i);
                    if (it.ok()) {
                        ok.add(missing.get(done + i));
                        px.add(it.value());
                    } else {
                        ctx.log("embed: skipped " + ImageLoadException.naming(it.file(), it.error()));
                    }
                }
                if (!ok.isEmpty()) {
                    float[][] e = model.embedImages(BatchDecoder.stack(px), ok.size());
                    Map<String, float[]> fresh = new HashMap<>();
                    for (int i = 0; i < ok.size(); i++) {
                        fresh.put(ok.get(i).contentHash(), e[i]);
                        out.put(ok.get(i).id(), e[i]);
                    }
                    cache.putAll(fresh); // persisted per batch: a killed run keeps what it embedded
                }
                done += items.size();
                ctx.progress("embed", done, missing.size(), "");
            }
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

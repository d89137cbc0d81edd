package dev.rali.engine.analysis.saliency;

import dev.rali.engine.analysis.OpenModels;
import dev.rali.engine.task.Releasable;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Saliency for the app: each bundle is opened once ({@link SaliencyService#open}: seconds for ViT-L) and kept open
 * for the next request until {@link #release()} (project switch, exit). The {@link Explainer} {@link #open} hands
 * out shares the opened model; closing it returns it without closing the model. Requests on one bundle run one at a
 * time (the model is not used from two threads at once).
 */
public final class SaliencyModels implements Releasable {
    /** Bundles kept open at once: the Score view's and another view's (a ViT-L bundle holds over 1 GB). */
    static final int CAPACITY = 2;
    private final OpenModels<SaliencyService> models;

    public SaliencyModels(String device) {
        this(dir -> SaliencyService.open(dir, device));
    }

    SaliencyModels(OpenModels.Opener<SaliencyService> opener) {
        this.models = new OpenModels<>(opener, CAPACITY);
    }

    public Explainer open(Path bundleDir) throws Exception {
        OpenModels<SaliencyService>.Lease lease = models.acquire(bundleDir);
        return new Explainer() {
            @Override
            public ImageSaliency explain(Path image, int window, TaskContext ctx) throws IOException {
                synchronized (lease.model()) {
                    return lease.model().explain(image, window, ctx);
                }
            }

            @Override
            public TextSaliency explainText(String text, TaskContext ctx) throws IOException {
                synchronized (lease.model()) {
                    return lease.model().explainText(text, ctx);
                }
            }

            @Override
            public void close() {
                lease.close();
            }
        };
    }

    /** How many bundles were opened so far. */
    public int opened() {
        return models.opened();
    }

    @Override
    public void release() {
        models.release();
    }
}

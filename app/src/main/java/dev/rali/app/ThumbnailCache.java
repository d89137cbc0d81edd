package dev.rali.app;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.image.Image;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Small thumbnails decoded on two background threads (ImageIO, so every format the engine reads works, with
 * subsampling so a 6000 px JPEG decodes fast) and kept in an LRU cache. A grid cell asks for its thumbnail and
 * gets it through a callback on the FX thread; a cell that was reused meanwhile simply ignores stale results.
 */
public final class ThumbnailCache {
    private final int size;
    private final int capacity;
    private final PendingWork pending;
    /** Decodes one file; replaced in tests to make decoding slow on purpose. */
    BiFunction<Path, Integer, Image> decoder = ThumbnailCache::decode;
    private final Map<Path, Image> cache;
    private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "rali-thumbs");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });

    public ThumbnailCache(int size, int capacity) {
        this(size, capacity, new PendingWork());
    }

    /** Each load counts as {@code pending} work until its callback has run, so screenshots wait for thumbnails. */
    public ThumbnailCache(int size, int capacity, PendingWork pending) {
        this.size = size;
        this.capacity = capacity;
        this.pending = pending;
        this.cache = new LinkedHashMap<>(capacity, 0.75f, true);
    }

    public int size() {
        return size;
    }

    /** The cached thumbnail, or null (FX thread). */
    public Image cached(Path file) {
        return cache.get(file);
    }

    /** Delivers the thumbnail (or null if the file cannot be decoded) to {@code done} on the FX thread. */
    public void load(Path file, Consumer<Image> done) {
        Image hit = cache.get(file);
        if (hit != null) {
            done.accept(hit);
            return;
        }
        Runnable ended = pending.begin();
        try {
            pool.execute(() -> {
                Image img;
                try {
                    img = decoder.apply(file, size);
                } catch (RuntimeException e) {
                    img = null;
                }
                Image decoded = img;
                Platform.runLater(() -> {
                    try {
                        deliver(file, decoded, done);
                    } finally {
                        ended.run();
                    }
                });
            });
        } catch (RuntimeException e) { // a rejected execution must not leave the work pending forever
            ended.run();
            throw e;
        }
    }

    private void deliver(Path file, Image img, Consumer<Image> done) {
        if (img != null) {
            cache.put(file, img);
            for (Iterator<Path> it = cache.keySet().iterator(); cache.size() > capacity && it.hasNext(); ) {
                it.next();
                it.remove();
            }
        }
        done.accept(img);
    }

    static Image decode(Path file, int size) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                return null;
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                ImageReadParam param = reader.getDefaultReadParam();
                int sub = Math.max(1, Math.min(w, h) / (size * 2));
                param.setSourceSubsampling(sub, sub, 0, 0);
                BufferedImage src = reader.read(0, param);
                double scale = Math.min(1.0, (double) size / Math.max(src.getWidth(), src.getHeight()));
                int tw = Math.max(1, (int) Math.round(src.getWidth() * scale));
                int th = Math.max(1, (int) Math.round(src.getHeight() * scale));
                BufferedImage dst = new BufferedImage(tw, th, BufferedImage.TYPE_INT_ARGB);
                Graphics2D g = dst.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(src, 0, 0, tw, th, null);
                g.dispose();
                return SwingFXUtils.toFXImage(dst, null);
            } finally {
                reader.dispose();
            }
        } catch (Exception | OutOfMemoryError e) {
            return null;
        }
    }
}

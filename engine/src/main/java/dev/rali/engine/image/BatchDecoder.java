package dev.rali.engine.image;

import dev.rali.engine.data.RgbImage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Decodes (and transforms, e.g. CLIP-preprocesses) image files in batches on a small thread pool, by default one
 * batch ahead of the consumer, so decoding overlaps with inference. A file that cannot be read becomes an {@link Item} with
 * the reason instead of an exception: callers report it and go on.
 */
public final class BatchDecoder<T> implements Iterator<List<BatchDecoder.Item<T>>>, AutoCloseable {

    /** One decoded file: {@code value} or {@code error} (the reason, naming the problem). */
    public record Item<T>(Path file, T value, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private final List<Path> files;
    private final int batchSize;
    private final BiFunction<Integer, RgbImage, T> transform;
    private final ExecutorService pool;
    private final boolean lookahead;
    private int nextStart;
    private List<Future<Item<T>>> ahead;

    public BatchDecoder(List<Path> files, int batchSize, Function<RgbImage, T> transform) {
        this(files, batchSize, (index, img) -> transform.apply(img), true);
    }

    /**
     * @param transform gets the file's position in {@code files} too (e.g. for per-file random seeds)
     * @param lookahead decode the next batch while the caller works on this one. Off for training: decode threads
     *                  competing with libtorch's make MKL pick other thread counts, and a run stops being
     *                  reproducible; the batch itself is still decoded in parallel.
     */
    public BatchDecoder(List<Path> files, int batchSize, BiFunction<Integer, RgbImage, T> transform,
                        boolean lookahead) {
        this.lookahead = lookahead;
        this.files = List.copyOf(files);
        this.batchSize = Math.max(1, batchSize);
        this.transform = transform;
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "rali-decode");
            t.setDaemon(true);
            return t;
        });
        this.ahead = lookahead ? submit() : List.of();
    }

    private List<Future<Item<T>>> submit() {
        List<Future<Item<T>>> out = new ArrayList<>();
        int end = Math.min(files.size(), nextStart + batchSize);
        for (int i = nextStart; i < end; i++) {
            int index = i;
            out.add(pool.submit(() -> decode(index)));
        }
        nextStart = end;
        return out;
    }

    private Item<T> decode(int index) {
        Path f = files.get(index);
        try {
            return new Item<>(f, transform.apply(index, ImageLoader.load(f)), null);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            return new Item<>(f, null, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    @Override
    public boolean hasNext() {
        return !ahead.isEmpty() || (!lookahead && nextStart < files.size());
    }

    /** The next batch, in file order; starts decoding the one after it. */
    @Override
    public List<Item<T>> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        List<Future<Item<T>>> current = lookahead ? ahead : submit();
        if (lookahead) {
            ahead = submit();
        }
        List<Item<T>> out = new ArrayList<>(current.size());
        for (Future<Item<T>> f : current) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while decoding images", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        return out;
    }

    /** Concatenates the values of a batch's good items ([n, ...] float arrays of equal length). */
    public static float[] stack(List<float[]> values) {
        if (values.isEmpty()) {
            return new float[0];
        }
        int n = values.get(0).length;
        float[] out = new float[n * values.size()];
        for (int i = 0; i < values.size(); i++) {
            System.arraycopy(values.get(i), 0, out, i * n, n);
        }
        return out;
    }

    /** Stacks a whole batch where every file must be readable (training): the first bad one is an error naming it. */
    public static float[] stackAll(List<Item<float[]>> batch) throws IOException {
        List<float[]> values = new ArrayList<>(batch.size());
        for (Item<float[]> it : batch) {
            if (!it.ok()) {
                throw new IOException(ImageLoadException.naming(it.file(), it.error()));
            }
            values.add(it.value());
        }
        return stack(values);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

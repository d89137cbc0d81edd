package dev.rali.engine.analysis;

import dev.rali.engine.task.Releasable;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Models opened once per folder and kept open for the next request (an Explain or saliency click on the same
 * bundle), instead of opening the bundle anew each time. {@link #acquire} hands out a lease; a model is closed by
 * {@link #release()} once no lease holds it (a model in use is closed when its last lease is returned), and when
 * more than {@code capacity} folders are open the least recently used idle one is closed. Uses of one model are not
 * serialised here: callers synchronise on {@link Lease#model()} where the model is not thread-safe.
 */
public final class OpenModels<T extends AutoCloseable> implements Releasable {
    /** Opens the model in a folder. */
    @FunctionalInterface
    public interface Opener<T> {
        T open(Path dir) throws Exception;
    }

    private final Opener<T> opener;
    private final int capacity;
    private final Map<Path, Entry<T>> open = new LinkedHashMap<>(8, 0.75f, true);
    private int opened;

    private static final class Entry<T> {
        final T model;
        int leases;
        boolean retired;

        Entry(T model) {
            this.model = model;
        }
    }

    public OpenModels(Opener<T> opener, int capacity) {
        this.opener = opener;
        this.capacity = Math.max(1, capacity);
    }

    /** One use of an opened model; closing it returns the lease (it never closes the model itself). */
    public final class Lease implements AutoCloseable {
        private final Entry<T> entry;
        private boolean returned;

        private Lease(Entry<T> entry) {
            this.entry = entry;
        }

        public T model() {
            return entry.model;
        }

        @Override
        public void close() {
            synchronized (OpenModels.this) {
                if (returned) {
                    return;
                }
                returned = true;
                entry.leases--;
                if (entry.retired && entry.leases == 0) {
                    closeQuietly(entry.model);
                }
            }
        }
    }

    /** The model in {@code dir}, opened now if it is not open yet. Opening holds the lock: one bundle at a time. */
    public synchronized Lease acquire(Path dir) throws Exception {
        Path key = dir.toAbsolutePath().normalize();
        Entry<T> e = open.get(key);
        if (e == null) {
            e = new Entry<>(opener.open(key));
            opened++;
            open.put(key, e);
            evict();
        }
        e.leases++;
        return new Lease(e);
    }

    private void evict() {
        var it = open.values().iterator();
        while (open.size() > capacity && it.hasNext()) {
            Entry<T> oldest = it.next();
            it.remove();
            retire(oldest);
        }
    }

    private void retire(Entry<T> e) {
        e.retired = true;
        if (e.leases == 0) {
            closeQuietly(e.model);
        }
    }

    /** Closes every model (those in use once their lease is returned); later acquires open them again. */
    @Override
    public synchronized void release() {
        open.values().forEach(this::retire);
        open.clear();
    }

    /** How many models were opened so far (for tests: a second request on one folder opens nothing). */
    public synchronized int opened() {
        return opened;
    }

    /** How many folders are open now. */
    public synchronized int size() {
        return open.size();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // freeing native memory failed: nothing more to do for a model no one holds
        }
    }
}

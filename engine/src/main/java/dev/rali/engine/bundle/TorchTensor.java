package dev.rali.engine.bundle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A tensor of a torch checkpoint: a view (offset, size, stride) into a storage whose bytes are read from the
 * checkpoint zip only when {@link #floats()} or {@link #toArray()} is called, so listing a 300M-parameter
 * state dict costs nothing.
 */
public final class TorchTensor {

    /** A typed storage inside a checkpoint: zip entry key, element dtype, element count. */
    public static final class Storage {
        final String key;
        final String dtype;
        final long numel;
        final TorchCheckpointReader owner;
        private ByteBuffer cached;

        Storage(String key, String dtype, long numel, TorchCheckpointReader owner) {
            this.key = key;
            this.dtype = dtype;
            this.numel = numel;
            this.owner = owner;
        }

        synchronized ByteBuffer bytes() throws IOException {
            ByteBuffer b = cached;
            if (b == null) {
                b = owner.storageBytes(key, numel * NdArray.itemSize(dtype));
                // Storages shared by several small tensors (views) are cached; big ones are re-read on demand.
                if (b.capacity() <= (1 << 20)) {
                    cached = b;
                }
            }
            return b.duplicate().order(b.order());
        }
    }

    private final Storage storage;
    private final long offset;
    private final long[] shape;
    private final long[] stride;

    TorchTensor(Storage storage, long offset, long[] shape, long[] stride) {
        if (shape.length != stride.length) {
            throw new IllegalArgumentException("tensor size " + Arrays.toString(shape) + " and stride " + Arrays.toString(stride)
                    + " differ in rank");
        }
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.stride = stride.clone();
    }

    public long[] shape() {
        return shape.clone();
    }

    /** numpy-style dtype: f4, f2, bf16, f8, i8, … */
    public String dtype() {
        return storage.dtype;
    }

    public long numel() {
        return NdArray.count(shape);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** The values in row-major order, widened to float. */
    public float[] floats() throws IOException {
        double[] d = gather();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    public NdArray toArray() throws IOException {
        return new NdArray(storage.dtype, shape.clone(), gather());
    }

    private double[] gather() throws IOException {
        long n = numel();
        // bounds: the furthest element must lie inside the storage
        long last = offset;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > 0) {
                last += (shape[d] - 1) * stride[d];
            }
        }
        if (n > 0 && (offset < 0 || last >= storage.numel)) {
            throw new IOException(storage.owner.file() + ": tensor view " + shapeString() + " at offset " + offset
                    + " exceeds its storage '" + storage.key + "' of " + storage.numel + " elements");
        }
        if (n > Integer.MAX_VALUE - 8 || n > Math.max(storage.numel, 1L << 20) * 16) {
            // e.g. a stride-0 broadcast view of a huge size: refuse rather than allocate gigabytes
            throw new IOException(storage.owner.file() + ": tensor view " + shapeString() + " is far larger than its storage '"
                    + storage.key + "' (" + storage.numel + " elements)");
        }
        double[] all = NdArray.decode(storage.bytes(), storage.dtype, storage.owner.byteOrder(), storage.numel);
        double[] out = new double[Math.toIntExact(n)];
        int nd = shape.length;
        long[] idx = new long[nd];
        for (int i = 0; i < out.length; i++) {
            long at = offset;
            for (int d = 0; d < nd; d++) {
                at += idx[d] * stride[d];
            }
            out[i] = all[(int) at];
            for (int d = nd - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "tensor(" + storage.dtype + ", " + shapeString() + ")";
    }
}

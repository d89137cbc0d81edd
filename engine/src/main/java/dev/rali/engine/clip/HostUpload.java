package dev.rali.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float arrays into tensors through one reused direct buffer per thread. DJL's {@code create(float[])} allocates a
 * fresh direct buffer per call and fills it slowly: a ViT-L/14-336 batch of 32 (43 MB of pixels) took 145 ms on a
 * 2-core AMD EPYC and ~25 ms on an H200's host — on the GPU, 7 % of the batch's time — against 3.5 ms this way (a
 * bulk copy into memory that is already mapped). The tensor never aliases the buffer: on a GPU the upload copies it, on
 * the CPU it is cloned, so the next call may overwrite the buffer whatever the previous tensor's lifetime.
 */
final class HostUpload {

    private static final ThreadLocal<ByteBuffer> BUFFER = new ThreadLocal<>();

    private HostUpload() { }

    static NDArray floats(NDManager manager, float[] data, Shape shape) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException(data.length + " values for a tensor of shape " + shape);
        }
        long bytes = 4L * data.length;
        if (bytes > Integer.MAX_VALUE) {
            return manager.create(data, shape);
        }
        ByteBuffer b = BUFFER.get();
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
            BUFFER.set(b);
        }
        b.clear();
        b.asFloatBuffer().put(data);
        b.limit((int) bytes);
        NDArray t = manager.create(b, shape, DataType.FLOAT32);
        if (manager.getDevice().isGpu()) {
            return t;
        }
        NDArray own = t.duplicate();
        t.close();
        return own;
    }
}

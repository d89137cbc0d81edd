package dev.rali.engine.clip;

import java.util.Arrays;

/** A dense row-major float tensor copied off the native side: the values and the shape. */
public record FloatTensor(float[] data, long[] shape) {

    public FloatTensor {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(data.length + " values for shape " + Arrays.toString(shape));
        }
    }

    /** Entry {@code i} along the first dimension (e.g. one image of a batch), shape {@code shape[1:]}. */
    public FloatTensor at(int i) {
        if (shape.length == 0 || i < 0 || i >= shape[0]) {
            throw new IndexOutOfBoundsException("index " + i + " for shape " + Arrays.toString(shape));
        }
        int per = (int) (data.length / shape[0]);
        return new FloatTensor(Arrays.copyOfRange(data, i * per, (i + 1) * per), Arrays.copyOfRange(shape, 1, shape.length));
    }

    /** A 2-D tensor as rows. */
    public float[][] rows() {
        if (shape.length != 2) {
            throw new IllegalStateException("rows() needs a 2-D tensor, shape is " + Arrays.toString(shape));
        }
        int r = (int) shape[0];
        int c = (int) shape[1];
        float[][] out = new float[r][];
        for (int i = 0; i < r; i++) {
            out[i] = Arrays.copyOfRange(data, i * c, (i + 1) * c);
        }
        return out;
    }
}

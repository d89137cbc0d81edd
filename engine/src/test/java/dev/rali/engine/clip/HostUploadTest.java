package dev.rali.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HostUploadTest {

    @Test
    void aTensorKeepsItsValuesWhenTheSharedBufferIsReusedForTheNext() {
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            float[] a = {1, 2, 3, 4, 5, 6};
            float[] b = {-1, -2, -3, -4, -5, -6};
            NDArray ta = HostUpload.floats(m, a, new Shape(2, 3));
            NDArray tb = HostUpload.floats(m, b, new Shape(3, 2));
            assertArrayEquals(a, ta.toFloatArray(), 0f, "the first tensor is not a view of the reused buffer");
            assertArrayEquals(b, tb.toFloatArray(), 0f);
            assertEquals(new Shape(3, 2), tb.getShape());
            float[] big = new float[1000]; // grows the buffer; smaller uploads after it still read the right values
            java.util.Arrays.fill(big, 7f);
            assertArrayEquals(big, HostUpload.floats(m, big, new Shape(10, 100)).toFloatArray(), 0f);
            assertArrayEquals(a, HostUpload.floats(m, a, new Shape(6)).toFloatArray(), 0f);
        }
    }

    @Test
    void aShapeThatDoesNotHoldTheValuesIsRefused() {
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            assertThrows(IllegalArgumentException.class, () -> HostUpload.floats(m, new float[5], new Shape(2, 3)));
        }
    }
}

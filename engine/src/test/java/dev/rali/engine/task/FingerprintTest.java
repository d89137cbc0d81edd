package dev.rali.engine.task;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class FingerprintTest {

    @Test
    void partsAreSeparatedSoShiftingABoundaryChangesTheFingerprint() {
        assertNotEquals(Fingerprint.ofParts("a", "bc"), Fingerprint.ofParts("ab", "c"));
        assertEquals(Fingerprint.ofParts("a", "bc"), Fingerprint.sha256().text("a").bytes(new byte[] {0})
                .text("bc").bytes(new byte[] {0}).hex());
    }

    @Test
    void byteLayoutIsPinnedSoStoredFingerprintsStayValid() {
        // Work folders, stage files and checkpoints store these digests: a layout change would silently make all
        // cached work unreusable. Expected values computed independently (Python: hashlib + struct '>q', '>f', '>d').
        assertEquals(PY_PARTS, Fingerprint.ofParts("a", "bc"));
        String f = Fingerprint.sha256().text("p").floats(new float[][] {{1.5f, -2f}, {0.25f}})
                .doubles(new double[] {1.0, 3.5}).hex();
        assertEquals(PY_ARRAYS, f);
    }

    @Test
    void ofBytesIsPlainSha256() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Fingerprint.of("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    private static final String PY_PARTS = "aa795aa4bbb6117911ef062e271bcb05ccfd58ea439da7d46a44e3a3fcefa790";
    private static final String PY_ARRAYS = "29640ebd6ee13ff232c8bbeb84c9f30eff2081f09a531a5cd481add84afae948";
}

package dev.rali.engine.bundle;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Random;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.fail;

/** Corrupted pickles must fail with an IOException (never another exception, a hang or a huge allocation). */
class SafeUnpicklerFuzzTest {

    private static void mutateAndLoad(byte[] original, boolean joblib, long seed) {
        Random rnd = new Random(seed);
        for (int trial = 0; trial < 1500; trial++) {
            byte[] b = original.clone();
            int edits = 1 + rnd.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = rnd.nextInt(b.length);
                b[at] = rnd.nextInt(3) == 0 ? (byte) 0xFF : (byte) rnd.nextInt(256);
            }
            if (rnd.nextInt(5) == 0) {
                b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            try {
                new SafeUnpickler("fuzz").joblib(joblib).load(b);
            } catch (IOException expected) {
                // fine: refused or malformed
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                fail("trial " + trial + " escaped with " + e);
            }
        }
    }

    @Test
    void corruptedJoblibPcaFailsCleanly() throws Exception {
        mutateAndLoad(Files.readAllBytes(OfficialReleaseTest.fixture().resolve("pca.pkl")), true, 1);
    }

    @Test
    void corruptedTorchDataPklFailsCleanly() throws Exception {
        byte[] pkl;
        try (ZipFile z = new ZipFile(OfficialReleaseTest.fixture().resolve("ckpt.pt").toFile())) {
            var entry = z.stream().filter(e -> e.getName().endsWith("data.pkl")).findFirst().orElseThrow();
            pkl = z.getInputStream(entry).readAllBytes();
        }
        Random rnd = new Random(2);
        for (int trial = 0; trial < 1500; trial++) {
            byte[] b = pkl.clone();
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            try {
                new SafeUnpickler("fuzz").persistentLoader(pid -> pid).load(b);
            } catch (IOException expected) {
                // fine
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                fail("trial " + trial + " escaped with " + e);
            }
        }
    }
}

package dev.rali.engine.bundle;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeUnpicklerTest {

    private static byte[] hex(String h) {
        return java.util.HexFormat.of().parseHex(h);
    }

    @Test
    void refusesOsSystemBeforeBuildingAnything() throws Exception {
        Path evil = OfficialReleaseTest.fixture().resolve("evil.pkl");
        var e = assertThrows(SafeUnpickler.UnsafePickleException.class, () -> JoblibFile.read(evil));
        assertTrue(e.getMessage().contains("refusing to load global 'posix.system'"), e.getMessage());
        // hand-written protocol 2: os.system("echo pwned")
        byte[] p = hex("8002636f730a73797374656d0a7100580a0000006563686f2070776e656471018571025271032e");
        var e2 = assertThrows(SafeUnpickler.UnsafePickleException.class, () -> new SafeUnpickler("t.pkl").load(p));
        assertTrue(e2.getMessage().startsWith("t.pkl: refusing to load global 'os.system'"), e2.getMessage());
    }

    @Test
    void refusesEvalInsideATorchCheckpoint() throws Exception {
        Path evil = OfficialReleaseTest.fixture().resolve("evil.pt");
        var e = assertThrows(SafeUnpickler.UnsafePickleException.class, () -> TorchCheckpointReader.open(evil));
        assertTrue(e.getMessage().contains("builtin__.eval'"), e.getMessage()); // protocol 2 writes __builtin__
    }

    @Test
    void refusesInstAndReducingAllowedClassesWithArguments() {
        byte[] inst = hex("28696f730a73797374656d0a53276c73270a2e");
        assertThrows(SafeUnpickler.UnsafePickleException.class, () -> new SafeUnpickler("x").load(inst));
        // collections.OrderedDict is allowed; builtins.getattr is not
        byte[] getattr = hex("8002636275696c74696e730a676574617474720a2e");
        var e = assertThrows(SafeUnpickler.UnsafePickleException.class, () -> new SafeUnpickler("x").load(getattr));
        assertTrue(e.getMessage().contains("builtins.getattr"));
    }

    @Test
    void readsPlainContainers() throws Exception {
        // pickle.dumps({'a': [1, 2.5, None, True], 'b': (b'xy', 'é'), 3: 2**70}, protocol=2)
        byte[] p = hex("80027d71002858010000006171015d7102284b014740040000000000004e88655801000000627103635f636f646563730a656e636f64650a710458020000007879710558060000006c6174696e3171068671075271085802000000c3a9710986710a4b038a09000000000000000040752e");
        Object o = new SafeUnpickler("c.pkl").load(p);
        Map<?, ?> m = assertInstanceOf(Map.class, o);
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(2.5, a.get(1));
        assertNull(a.get(2));
        assertEquals(Boolean.TRUE, a.get(3));
        List<?> b = (List<?>) m.get("b");
        assertArrayEquals("xy".getBytes(), (byte[]) b.get(0));
        assertEquals("é", b.get(1));
        assertEquals(new java.math.BigInteger("1180591620717411303424"), m.get(3L));
    }

    @Test
    void truncatedPickleIsAnErrorNamingTheFile() {
        var e = assertThrows(IOException.class, () -> new SafeUnpickler("t.pkl").load(hex("80027d710028")));
        assertTrue(e.getMessage().startsWith("t.pkl: malformed pickle"), e.getMessage());
    }

    @Test
    void joblibPcaBecomesAnAttributeBag() throws Exception {
        Object o = JoblibFile.read(OfficialReleaseTest.fixture().resolve("pca.pkl"));
        SafeUnpickler.AttributeBag bag = assertInstanceOf(SafeUnpickler.AttributeBag.class, o);
        assertEquals("sklearn.decomposition._pca.PCA", bag.className());
        assertEquals(4L, bag.get("n_components"));
        assertEquals(0.0123, (Double) bag.get("noise_variance_"), 1e-12);
        NdArray comps = assertInstanceOf(NdArray.class, bag.get("components_"));
        assertArrayEquals(new long[] {4, 8}, comps.shape());
        var exp = OfficialReleaseTest.expected().get("pca_components_pkl");
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 8; j++) {
                assertEquals(exp.get(i).get(j).asDouble(), comps.data()[i * 8 + j], 1e-12); // Fortran order undone
            }
        }
        assertInstanceOf(SafeUnpickler.Unsupported.class, bag.get("feature_names_in_")); // object array: placeholder
        assertInstanceOf(SafeUnpickler.Unsupported.class, bag.get("_rali_test_labels")); // raw '<U4' bytes skipped
        assertEquals("1.3.2", bag.get("_sklearn_version")); // read after the skipped bytes
        assertTrue(SafeUnpickler.allowedGlobals().contains("torch._utils._rebuild_tensor_v2"));
    }
}

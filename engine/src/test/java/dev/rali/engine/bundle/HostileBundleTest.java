package dev.rali.engine.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.TestPaths;
import dev.rali.engine.io.FileHashes;
import dev.rali.engine.io.Safetensors;
import dev.rali.engine.rali.HeadParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile bundles and safetensors files, made by the test from a good bundle: every refusal names the file, and a
 * folder whose manifest is not ours is never treated as a replaceable bundle.
 */
class HostileBundleTest {
    @TempDir
    Path tmp;

    private Path bundle() throws IOException {
        return ModelBundle.write(tmp.resolve("m.rali-model"), TestPaths.shared("fixtures/tiny-clip-a"),
                ModelBundleTest.head(), null).dir();
    }

    private static String refused(Path dir) {
        IOException e = assertThrows(IOException.class, () -> ModelBundle.read(dir));
        return e.getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,2]", "{\"format\": \"other-model/1\"}", "\0\0\0garbage",
            "{\"format\": \"rali-model/1\", \"files\": {\"../outside\": \"00\"}}"})
    void aDamagedManifestIsNamedAndTheFolderIsNotOurs(String manifest) throws IOException {
        Path b = bundle();
        Files.writeString(b.resolve("manifest.json"), manifest);
        String m = refused(b);
        assertTrue(m.contains(b.toString()), m);
        if (!manifest.contains("rali-model/1")) {
            assertFalse(ModelBundle.isBundle(b), "a folder with a foreign manifest is never replaced");
        }
    }

    @Test
    void aTruncatedEncoderIsCaughtByItsHash() throws IOException {
        Path b = bundle();
        Path w = b.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(w);
        Files.write(w, Arrays.copyOf(bytes, bytes.length / 2));
        String m = refused(b);
        assertTrue(m.contains(w.toString()) && m.contains("sha256 mismatch"), m);
    }

    @Test
    void aTruncatedHeadWithAMatchingHashNamesTheHeadFile() throws IOException {
        Path b = bundle();
        Path h = b.resolve(ModelBundle.HEAD_FILE);
        byte[] bytes = Files.readAllBytes(h);
        Files.write(h, Arrays.copyOf(bytes, bytes.length - 7));
        ObjectNode man = (ObjectNode) new ObjectMapper().readTree(b.resolve("manifest.json").toFile());
        ((ObjectNode) man.get("files")).put(ModelBundle.HEAD_FILE, FileHashes.sha256(h));
        new ObjectMapper().writeValue(b.resolve("manifest.json").toFile(), man);
        String m = refused(b);
        assertTrue(m.contains(h.toString()), m);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, 1L << 40, -5})
    void aSafetensorsHeaderLengthThatLiesIsNamed(long headerLength) throws IOException {
        Path f = tmp.resolve("h.safetensors");
        ModelBundleTest.head().write(f, java.util.Map.of());
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerLength);
        Files.write(f, bytes);
        IOException e = assertThrows(IOException.class, () -> HeadParams.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        IOException e2 = assertThrows(IOException.class, () -> Safetensors.open(f).close());
        assertTrue(e2.getMessage().contains(f.toString()), e2.getMessage());
    }

    @Test
    void aBundleIsRecognisedOnlyWithNothingButItsListedFiles() throws IOException {
        Path b = bundle();
        assertTrue(ModelBundle.isBundle(b));
        Files.createDirectories(b.resolve("sub"));
        assertFalse(ModelBundle.isBundle(b), "a subfolder is not part of any bundle");
    }
}

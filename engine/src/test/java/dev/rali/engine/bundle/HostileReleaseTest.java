package dev.rali.engine.bundle;

import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile-input corpus for the official-release importer, generated from the fixture release: each of its files
 * (pca.pkl, basis.npz, ckpt.pt) emptied, truncated at several points, filled with garbage or with a byte flipped.
 * Every case must fail with an IOException whose message names the damaged file — never an EOFException or
 * "zip END header not found" on its own — and must leave no bundle behind.
 */
class HostileReleaseTest {
    @TempDir
    Path tmp;

    record Damage(String file, String how, UnaryOperator<byte[]> f) {
        @Override
        public String toString() {
            return file + " " + how;
        }
    }

    static Stream<Damage> corpus() {
        List<Damage> out = new java.util.ArrayList<>();
        for (String file : List.of("pca.pkl", "basis.npz", "ckpt.pt")) {
            out.add(new Damage(file, "empty", b -> new byte[0]));
            out.add(new Damage(file, "garbage", b -> {
                byte[] g = new byte[b.length];
                new SplittableRandom(1).nextBytes(g);
                return g;
            }));
            for (double at : new double[] {0.1, 0.5, 0.9, 0.99}) {
                out.add(new Damage(file, "truncated at " + at, b -> Arrays.copyOf(b, (int) (b.length * at))));
            }
            out.add(new Damage(file, "text instead", b -> "version https://git-lfs.github.com/spec/v1\n".getBytes()));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void aDamagedReleaseFileIsNamedInTheError(Damage d) throws Exception {
        Path dir = tmp.resolve("release");
        Files.createDirectories(dir);
        for (String f : List.of("pca.pkl", "basis.npz", "ckpt.pt")) {
            Files.copy(OfficialReleaseTest.fixture().resolve(f), dir.resolve(f));
        }
        Path bad = dir.resolve(d.file());
        Files.write(bad, d.f().apply(Files.readAllBytes(bad)));
        IOException e = assertThrows(IOException.class, () -> {
            try (OfficialRelease r = OfficialRelease.read(dir)) {
                r.clipWeights().values().forEach(t -> {
                    try {
                        t.floats();
                    } catch (IOException x) {
                        throw new java.io.UncheckedIOException(x);
                    }
                });
            } catch (java.io.UncheckedIOException x) {
                throw x.getCause();
            }
        });
        assertTrue(e.getMessage() != null && e.getMessage().contains(bad.toString()), d + ": " + e);
        Path out = tmp.resolve("out.rali-model");
        IOException e2 = assertThrows(IOException.class,
                () -> OfficialImport.toBundle(dir, out, OfficialRelease.LogitScale.RAW, false, TaskContext.silent()));
        assertTrue(e2.getMessage() != null && e2.getMessage().contains(d.file()), d + ": " + e2);
        assertTrue(Files.notExists(out));
    }
}

package dev.rali.engine.io;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Byte strings for the property tests of the input readers: random bytes, text made of the format's syntax
 * characters, and valid seed files from the hostile corpus with bytes inserted, deleted and repeated (the mutations
 * reach far deeper into a reader than random bytes do).
 */
public final class HostileBytes {
    private HostileBytes() { }

    /** Random bytes, syntax-heavy text and mutations of the named corpus files (src/test/resources/hostile/). */
    public static Arbitrary<byte[]> around(String syntaxChars, String... corpusFiles) {
        List<byte[]> seeds = new ArrayList<>();
        for (String f : corpusFiles) {
            seeds.add(corpus(f));
        }
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        Arbitrary<byte[]> syntax = Arbitraries.strings().withChars(syntaxChars + "\"\n\r\t ,\\\uFEFF\u00e9\u0000")
                .ofMaxLength(200).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> mutated = Combinators.combine(Arbitraries.of(seeds),
                Arbitraries.integers().between(0, 3).list().ofMaxSize(6),
                Arbitraries.integers().between(0, 1 << 16).list().ofMinSize(6).ofMaxSize(6),
                Arbitraries.bytes().list().ofMinSize(6).ofMaxSize(6)).as(HostileBytes::mutate);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, random), net.jqwik.api.Tuple.of(2, syntax), net.jqwik.api.Tuple.of(5, mutated));
    }

    /** Applies edits: 0 insert a byte, 1 delete a byte, 2 repeat a stretch, 3 truncate. */
    private static byte[] mutate(byte[] seed, List<Integer> edits, List<Integer> positions, List<Byte> bytes) {
        List<Byte> b = new ArrayList<>();
        for (byte x : seed) {
            b.add(x);
        }
        for (int i = 0; i < edits.size(); i++) {
            int at = b.isEmpty() ? 0 : positions.get(i) % b.size();
            switch (edits.get(i)) {
                case 0 -> b.add(at, bytes.get(i));
                case 1 -> {
                    if (!b.isEmpty()) {
                        b.remove(at);
                    }
                }
                case 2 -> b.addAll(at, new ArrayList<>(b.subList(at, Math.min(b.size(), at + 1 + positions.get(i) % 40))));
                default -> b.subList(at, b.size()).clear();
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    /** A corpus file's bytes. */
    public static byte[] corpus(String name) {
        try (InputStream in = HostileBytes.class.getResourceAsStream("/hostile/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no corpus file hostile/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

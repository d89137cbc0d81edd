package dev.rali.engine.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Refusals name the limit actually hit, and never echo a file's bytes. */
class ImageLoaderHostileTest {
    @TempDir
    Path dir;

    /** A PNG signature and IHDR chunk only: enough for the header probe. */
    private static byte[] pngHeader(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream i = new DataOutputStream(ihdr);
        i.write("IHDR".getBytes(StandardCharsets.US_ASCII));
        i.writeInt(w);
        i.writeInt(h);
        i.write(new byte[] {8, 2, 0, 0, 0});
        d.writeInt(13);
        d.write(ihdr.toByteArray());
        CRC32 crc = new CRC32();
        crc.update(ihdr.toByteArray());
        d.writeInt((int) crc.getValue());
        return out.toByteArray();
    }

    @Test
    void aLongThinStripIsRefusedForItsSideWithTheRealNumbers() throws Exception {
        Path strip = Files.write(dir.resolve("strip.png"), pngHeader(100_000, 1));
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageLoader.load(strip));
        assertTrue(e.getMessage().contains("image is 100000x1: its width 100000 exceeds the decompression-bomb limit "
                + "of 30000 pixels per side"), e.getMessage());
        assertFalse(e.getMessage().contains(Long.toString(ImageLoader.MAX_PIXELS)), e.getMessage());

        Path big = Files.write(dir.resolve("big.png"), pngHeader(20_000, 20_000));
        assertTrue(assertThrows(ImageLoadException.class, () -> ImageLoader.load(big)).getMessage()
                .contains("image is 20000x20000 = 400000000 pixels, above the decompression-bomb limit of "
                        + ImageLoader.MAX_PIXELS + " pixels"));
    }

    @Test
    void anUnrecognisedFileIsNamedWithoutItsContents() throws Exception {
        Path secret = Files.writeString(dir.resolve("passwd.jpg"), "root:x:0:0:root:/root:/bin/bash\n");
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageLoader.load(secret));
        assertTrue(e.getMessage().startsWith(secret.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("unsupported or unrecognised image format"), e.getMessage());
        assertFalse(e.getMessage().contains("726f6f74") || e.getMessage().contains("root:"), e.getMessage());
        String probe = assertThrows(ImageLoadException.class, () -> ImageLoader.probe(secret)).getMessage();
        assertFalse(probe.contains("726f6f74") || probe.contains("root:"), probe);
    }
}

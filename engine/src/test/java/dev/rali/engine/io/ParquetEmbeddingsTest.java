package dev.rali.engine.io;

import dev.rali.engine.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spark-written embeddings Parquet read without Spark or Hadoop, in every page compression Spark offers by default. */
class ParquetEmbeddingsTest {

    static Path fixture(String name) throws Exception {
        return Path.of(ParquetEmbeddingsTest.class.getResource("/parquet/" + name).toURI());
    }

    private static List<ParquetEmbeddings.Row> rows(Path p) throws IOException {
        List<ParquetEmbeddings.Row> out = new ArrayList<>();
        ParquetEmbeddings.read(p, out::add);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"snappy", "zstd", "gzip", "none"})
    void readsEveryRowWithItsEmbeddingAndHashes(String codec) throws Exception {
        List<ParquetEmbeddings.Row> rows = rows(fixture("embeddings-" + codec + ".parquet"));
        assertEquals(6, rows.size());
        for (int i = 0; i < 5; i++) {
            ParquetEmbeddings.Row r = rows.get(i);
            assertEquals("file:/data/img" + i + ".jpg", r.path());
            assertTrue(r.ok());
            assertArrayEquals(new float[] {i + 0.5f, -1f, 2f * i}, r.embedding());
            assertEquals(String.format("%064x", i + 1), r.contentSha256());
            assertEquals("e".repeat(64), r.encoderSha256());
            assertNull(r.precision(), "files from before the precision column: the import keys them as fp32");
            assertEquals(i + 1, r.row());
        }
        ParquetEmbeddings.Row bad = rows.get(5);
        assertFalse(bad.ok());
        assertNull(bad.embedding());
        assertEquals("error", bad.status());
        assertEquals("file:/data/broken.jpg: not an image", bad.error());
    }

    @Test
    void aFolderOfPartFilesIsReadPartByPartSkippingSparkMarkers(@TempDir Path dir) throws Exception {
        Files.copy(fixture("embeddings-snappy.parquet"), dir.resolve("part-00000.snappy.parquet"));
        Files.copy(fixture("embeddings-zstd.parquet"), dir.resolve("part-00001.zstd.parquet"));
        Files.writeString(dir.resolve("_SUCCESS"), "");
        Files.writeString(dir.resolve(".part-00000.snappy.parquet.crc"), "x");
        assertEquals(12, rows(dir).size());
    }

    @Test
    void aFileWithoutTheHashColumnIsRefusedNamingFileAndColumn() throws Exception {
        Path f = fixture("embeddings-no-hash.parquet");
        IOException e = assertThrows(IOException.class, () -> rows(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'content_sha256'"), e.getMessage());
    }

    @Test
    void aFileThatIsNotParquetIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.parquet");
        Files.writeString(f, "path,embedding\na,1\n");
        IOException e = assertThrows(IOException.class, () -> rows(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> rows(dir.resolve("nothing.parquet")));
        assertTrue(missing.getMessage().contains("nothing.parquet"), missing.getMessage());
    }
}

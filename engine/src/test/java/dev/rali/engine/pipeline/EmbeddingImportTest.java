package dev.rali.engine.pipeline;

import dev.rali.engine.cli.RaliCli;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parquet embeddings land in the project's embedding cache under their encoder, once. */
class EmbeddingImportTest {

    static Path fixture(String name) throws Exception {
        return Path.of(EmbeddingImportTest.class.getResource("/parquet/" + name).toURI());
    }

    @Test
    void okRowsGoToTheEncodersCacheErrorRowsAreSkippedAndASecondImportAddsNothing(@TempDir Path dir) throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            EmbeddingImport.Report r = EmbeddingImport.run(store, fixture("embeddings-snappy.parquet"),
                    TaskContext.silent());
            assertEquals(6, r.rows());
            assertEquals(5, r.imported());
            assertEquals(1, r.errorRows());
            assertEquals(0, r.projectMatches());
            assertEquals(3, r.dims().get("e".repeat(64)));
            EmbeddingCache cache = EmbeddingCache.open(store.artifactDir().resolve("embeddings"), "e".repeat(64));
            assertEquals(5, cache.size());
            assertArrayEquals(new float[] {2.5f, -1f, 4f}, cache.get(String.format("%064x", 3)));
            assertNull(cache.get("f".repeat(64)));

            EmbeddingImport.Report again = EmbeddingImport.run(store, fixture("embeddings-zstd.parquet"),
                    TaskContext.silent());
            assertEquals(0, again.imported());
            assertEquals(5, again.alreadyCached());
        }
    }

    @Test
    void theCommandImportsIntoAnExistingProjectAndRefusesAMissingOne(@TempDir Path dir) throws Exception {
        Path project = dir.resolve("p.rali");
        ProjectStore.open(project).close();
        assertEquals(0, RaliCli.commandLine().execute("import-embeddings", "--project", project.toString(),
                fixture("embeddings-gzip.parquet").toString()));
        try (ProjectStore store = ProjectStore.open(project)) {
            assertEquals(5, EmbeddingCache.open(store.artifactDir().resolve("embeddings"), "e".repeat(64)).size());
        }
        assertTrue(RaliCli.commandLine().execute("import-embeddings", "--project", dir.resolve("none.rali").toString(),
                fixture("embeddings-gzip.parquet").toString()) != 0);
    }

    @Test
    void aBadFileLeavesTheCacheAsItWasAndNamesTheFile(@TempDir Path dir) throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            Path f = fixture("embeddings-no-hash.parquet");
            IOException e = assertThrows(IOException.class, () -> EmbeddingImport.run(store, f, TaskContext.silent()));
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            assertEquals(0, EmbeddingCache.open(store.artifactDir().resolve("embeddings"), "e".repeat(64)).size());
        }
    }
}

package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.wiring.EngineDatasetImport;
import dev.rali.engine.dataset.DatasetLayouts;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineDatasetImportTest {
    @TempDir Path dir;

    @Test
    void theWizardOffersExactlyTheEngineRegisteredLayoutsWithDescriptions() {
        EngineDatasetImport importer = new EngineDatasetImport();
        assertEquals(DatasetLayouts.names(), importer.layouts());
        assertEquals("koniq", importer.layouts().get(0));
        assertTrue(importer.describe("tid2013").contains("mos_with_names.txt"), importer.describe("tid2013"));
    }

    @Test
    void importsAFolderAndReturnsTheReportText() throws Exception {
        Fixtures.png(dir.resolve("imgs/a.png"), 10);
        Fixtures.png(dir.resolve("imgs/b.png"), 200);
        EngineDatasetImport importer = new EngineDatasetImport();
        assertTrue(importer.layouts().contains("folder"));
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            String report = importer.importDataset(store,
                    new DatasetImportAction.ImportSpec("folder", dir.resolve("imgs"), "mine"), TaskContext.silent());
            assertTrue(report.contains("mine"), report);
            var ds = Datasets.list(store);
            assertEquals(1, ds.size());
            assertEquals(2, ds.get(0).count());
            assertThrows(Exception.class, () -> importer.importDataset(store,
                    new DatasetImportAction.ImportSpec("koniq", dir.resolve("imgs"), "k"), TaskContext.silent()));
        }
    }
}

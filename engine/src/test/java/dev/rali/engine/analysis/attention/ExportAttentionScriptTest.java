package dev.rali.engine.analysis.attention;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs tools/test_export_attention.py (the exporter's labelling and writing on a fake model output, torch tensors
 * when python3-torch is installed) and reads the dump it wrote with the Java reader. Skipped without python3+numpy.
 */
class ExportAttentionScriptTest {
    @TempDir
    Path tmp;

    @Test
    void exporterLogicWritesADumpTheReaderAccepts() throws Exception {
        Path tools = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("tools/test_export_attention.py"))) {
                tools = p.resolve("tools");
                break;
            }
        }
        Assumptions.assumeTrue(tools != null, "tools/ not found");
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3");
        Process probe = new ProcessBuilder(python.toString(), "-c", "import numpy").redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "no numpy");
        Process p = new ProcessBuilder(python.toString(), tools.resolve("test_export_attention.py").toString(),
                tmp.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        AttentionDump d = AttentionDumps.read(tmp.resolve("dump"));
        assertEquals(List.of(25, 27), java.util.Arrays.stream(d.queryPositions()).boxed().toList());
        assertEquals(Role.IMAGE, d.roles().get(8));
        assertEquals(2, d.imageRows());
        assertEquals(3, d.imageCols());
        AttentionReport r = new AttentionAnalysis(3).add(d);
        assertEquals(1.0, r.allRoles().averaged().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-6);
    }
}

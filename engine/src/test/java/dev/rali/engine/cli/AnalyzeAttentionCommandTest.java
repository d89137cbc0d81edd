package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.analysis.attention.AttentionDumps;
import dev.rali.engine.analysis.attention.Dumps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzeAttentionCommandTest {
    @TempDir
    Path dir;

    @Test
    void jsonHasPerDumpAndAggregateSharesUnderNamedObjects() throws Exception {
        AttentionDumps.write(dir.resolve("dumps/a"), Dumps.withImage());
        AttentionDumps.write(dir.resolve("dumps/b"), Dumps.withoutImage());
        CliRun.Result r = CliRun.exec("analyze", "attention", "--json", dir.resolve("dumps").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(2, j.get("dumps").size());
        JsonNode a = j.get("dumps").get(0);
        assertEquals(0.45, a.at("/shares_all_roles/averaged/image").asDouble(), 1e-6);
        assertEquals(0.5, a.at("/shares_paper_convention/averaged/image").asDouble(), 1e-6);
        assertTrue(a.at("/shares_paper_convention/averaged/system").isMissingNode());
        assertEquals(2, a.at("/shares_all_roles/per_head").size());
        assertEquals(5, a.at("/shares_all_roles/per_layer/0/layer").asInt());
        assertEquals("noise", a.at("/top_reasoning_tokens/0/token").asText());
        assertEquals(0.30, a.at("/image_map/values/1/1").asDouble(), 1e-6);
        assertTrue(j.get("dumps").get(1).get("image_map").isNull());
        assertEquals(2, j.at("/aggregate/dumps").asInt());
        assertEquals(0.25, j.at("/aggregate/shares_paper_convention/averaged/image").asDouble(), 1e-6);
    }

    @Test
    void textReportAndBadDumpError() throws Exception {
        AttentionDumps.write(dir.resolve("a"), Dumps.withImage());
        CliRun.Result ok = CliRun.exec("analyze", "attention", "--quiet", dir.resolve("a").toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("image           45.0%            50.0%"), ok.out());
        assertTrue(ok.out().contains("'noise'"), ok.out());
        Files.delete(dir.resolve("a/attention.safetensors"));
        CliRun.Result bad = CliRun.exec("analyze", "attention", dir.resolve("a").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("a/attention.safetensors"), bad.err());
    }

    @Test
    void importIntoAProjectThenAnalyseTheProject() throws Exception {
        AttentionDumps.write(dir.resolve("in/a"), Dumps.withImage());
        Path project = dir.resolve("p.rali");
        dev.rali.engine.project.ProjectStore.open(project).close();
        CliRun.Result imp = CliRun.exec("attention", "import", "--quiet", "--project", project.toString(),
                dir.resolve("in").toString());
        assertEquals(0, imp.code(), imp.err());
        assertTrue(imp.out().contains("1 dump(s) imported, 0 already present"), imp.out());
        CliRun.Result list = CliRun.exec("attention", "list", "--project", project.toString());
        assertTrue(list.out().contains("synthetic (rule: test)"), list.out() + list.err());
        CliRun.Result an = CliRun.exec("analyze", "attention", "--json", project.toString());
        assertEquals(0, an.code(), an.err());
        JsonNode j = new ObjectMapper().readTree(an.out());
        assertEquals(0.45, j.at("/dumps/0/shares_all_roles/averaged/image").asDouble(), 1e-6);
    }
}

package dev.rali.engine.cli;

import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.rali.LabelledEmbeddings;
import dev.rali.engine.rali.RaliHeadTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class TrainHeadCommandTest {

    static LabelledEmbeddings synth(int n, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][10];
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = 1 + 4 * r.nextDouble();
            for (int j = 0; j < 10; j++) {
                x[i][j] = (float) (0.3 * r.nextGaussian());
            }
            x[i][0] += (float) (s[i] - 3);
            x[i][1] += 1;
        }
        return new LabelledEmbeddings(x, s);
    }

    @Test
    void trainsAHeadFromEmbeddingFiles(@TempDir Path tmp) throws Exception {
        synth(400, 1).write(tmp.resolve("train.safetensors"));
        synth(100, 2).write(tmp.resolve("val.safetensors"));
        StringWriter err = new StringWriter();
        CommandLine cl = RaliCli.commandLine();
        cl.setErr(new PrintWriter(err));
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        int code;
        try {
            code = cl.execute("train-head", "--train", tmp.resolve("train.safetensors").toString(),
                    "--val", tmp.resolve("val.safetensors").toString(), "--out", tmp.resolve("out").toString(),
                    "--set", "compression.dim=8", "--set", "bases.count=20", "--set", "bases.buckets=16",
                    "--set", "scoreDefinition.epochs=3", "-q", "--project", tmp.resolve("p.rali").toString());
        } finally {
            System.setOut(oldOut);
        }
        assertEquals(0, code, err.toString());
        HeadParams head = HeadParams.read(tmp.resolve("out").resolve(RaliHeadTrainer.HEAD_FILE));
        assertEquals(20, head.numBases());
        assertEquals(8, head.pcaComponents().length);
        assertTrue(out.toString().contains("head.val_plcc"), out.toString());
        assertTrue(Files.readString(tmp.resolve("out/params.json")).contains("\"count\" : 20"));
        try (var store = dev.rali.engine.project.ProjectStore.open(tmp.resolve("p.rali"));
             var st = store.connection().createStatement()) {
            var rs = st.executeQuery("SELECT stage, status, message FROM runs");
            assertTrue(rs.next());
            assertEquals("train_head", rs.getString(1));
            assertEquals("done", rs.getString(2));
            assertTrue(rs.getString(3).startsWith("val PLCC"));
            rs = st.executeQuery("SELECT count(*) FROM run_metrics WHERE name='score_definition/val_plcc'");
            assertEquals(4, rs.getInt(1));
            rs = st.executeQuery("SELECT kind FROM artifacts");
            assertEquals("head", rs.getString(1));
        }
    }

    @Test
    void reportsBadInputsClearly(@TempDir Path tmp) throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cl = RaliCli.commandLine();
        cl.setErr(new PrintWriter(err));
        Path missing = tmp.resolve("nope.safetensors");
        assertEquals(1, cl.execute("train-head", "--train", missing.toString(), "--out", tmp.toString(), "-q"));
        assertTrue(err.toString().contains(missing + ": no such file"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(1, cl.execute("train-head", "--set", "bases.cuont=3", "--print-params"));
        assertTrue(err.toString().contains("unknown parameter 'bases.cuont'; did you mean 'bases.count'?"),
                err.toString());
        err.getBuffer().setLength(0);
        assertEquals(1, cl.execute("train-head", "--set", "bases.count=many", "--print-params"));
        assertTrue(err.toString().contains("bases.count: 'many' is not an integer"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(1, cl.execute("train-head", "--set", "data.scoreDataset=koniq", "--print-params"));
        assertTrue(err.toString().contains("data.scoreDataset: not used by train-head"), err.toString());
    }

    @Test
    void refusesAblationsItCannotApplyAndAParameterFileThatUndoesTheAblation(@TempDir Path tmp) throws Exception {
        for (String a : List.of("no_alignment", "no_seed_augmentation")) {
            CliRun.Result r = CliRun.exec("train-head", "--ablation", a, "--print-params");
            assertEquals(1, r.code(), r.out());
            assertTrue(r.err().contains("--ablation " + a + " changes the alignment of the encoder"), r.err());
        }
        // a full run's parameters: compression on, which --ablation no_pca would have been silently overridden by
        Files.writeString(tmp.resolve("full.json"), dev.rali.engine.params.PipelineParams.defaults().toJson());
        CliRun.Result r = CliRun.exec("train-head", "--params", tmp.resolve("full.json").toString(), "--ablation",
                "no_pca", "--print-params");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("contradicts --ablation no_pca") && r.err().contains("compression.enabled=true"),
                r.err());
        // a file that agrees with the ablation is fine
        Files.writeString(tmp.resolve("nopca.json"), dev.rali.engine.params.PipelineParams.ablation("no_pca").toJson());
        r = CliRun.exec("train-head", "--params", tmp.resolve("nopca.json").toString(), "--ablation", "no_pca",
                "--print-params");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void refusesAnAlignmentAblationOrAlignmentKeyFromAParameterFileOrSet(@TempDir Path tmp) throws Exception {
        // the label alone, by --set: the head would be recorded as "no_alignment" while the encoder was aligned
        CliRun.Result r = CliRun.exec("train-head", "--set", "run.ablation=no_alignment", "--print-params");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("run.ablation=no_alignment (from --set) names an ablation of the encoder's "
                + "alignment"), r.err());
        // a whole `rali run --ablation no_seed_augmentation` parameter file (alignment keys and label)
        Path file = tmp.resolve("noseed.json");
        Files.writeString(file, dev.rali.engine.params.PipelineParams.ablation("no_seed_augmentation").toJson());
        r = CliRun.exec("train-head", "--params", file.toString(), "--print-params");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("run.ablation=no_seed_augmentation (from --params " + file + ")"), r.err());
        // one alignment key, from --set or from a file, with the label left at "full"
        r = CliRun.exec("train-head", "--set", "alignment.enabled=false", "--print-params");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("alignment.enabled=false (from --set; default true): changes the encoder's "
                + "alignment"), r.err());
        Path epochs = tmp.resolve("epochs.json");
        Files.writeString(epochs, dev.rali.engine.params.PipelineParams.defaults().with("alignment.epochs", "1")
                .toJson());
        r = CliRun.exec("train-head", "--params", epochs.toString(), "--print-params");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("alignment.epochs=1 (from --params " + epochs + "; default "), r.err());
        // alignment keys at their defaults (a full run's file) and the head's own ablations still pass
        Files.writeString(tmp.resolve("full.json"), dev.rali.engine.params.PipelineParams.defaults().toJson());
        r = CliRun.exec("train-head", "--params", tmp.resolve("full.json").toString(), "--set",
                "run.ablation=plain_kmeans", "--set", "bases.bucketed=false", "--print-params");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void usesTheRunSpellingOfTheSeedAndReadsParameterFilesOfOlderVersions(@TempDir Path tmp) throws Exception {
        CliRun.Result r = CliRun.exec("train-head", "--set", "run.seed=7", "--ablation", "no_pca", "--print-params");
        assertEquals(0, r.code(), r.err());
        var printed = dev.rali.engine.params.PipelineParams.fromJson(r.out());
        assertEquals(7, printed.run().seed());
        assertFalse(printed.rali().compression.enabled);
        // train-head's params.json of older versions: RaliParams JSON with the seed at the top.
        var old = dev.rali.engine.rali.RaliParams.ablation("plain_kmeans");
        old.seed = 11;
        Files.writeString(tmp.resolve("old.json"), old.toJson());
        r = CliRun.exec("train-head", "--params", tmp.resolve("old.json").toString(), "--print-params");
        assertEquals(0, r.code(), r.err());
        assertEquals(old.toJson(), dev.rali.engine.params.PipelineParams.fromJson(r.out()).rali().toJson());
        r = CliRun.exec("train-head", "--explain");
        assertTrue(r.out().contains("scoreDefinition.tauInit = 0.07") && !r.out().contains("data.scoreDataset"),
                r.out());
    }
}

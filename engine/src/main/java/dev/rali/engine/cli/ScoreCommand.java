package dev.rali.engine.cli;

import dev.rali.engine.image.ImageLoadException;
import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.io.CsvTable;
import dev.rali.engine.io.OutputPaths;
import dev.rali.engine.score.BundleScorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code rali score}: scores images with a model bundle; the same {@link BundleScorer} the app's Score view uses. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score images (files or folders, recursive) in [1,5] with a model bundle.")
public final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model bundle folder (NAME.rali-model).")
    Path model;

    @Option(names = "--out", description = "Write scores as CSV (file,score,status) here instead of stdout; written "
            + "in one piece when scoring ends (a previous file stays intact until then).")
    Path out;

    @Option(names = "--force", description = "Replace an existing --out file that is not a .csv file.")
    boolean force;

    @Option(names = "--batch", defaultValue = "16", description = "Images per encoder batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--precision", defaultValue = "auto", description = "Encoder precision: fp32, bf16, or auto = bf16 "
            + "where the CPU (AVX-512-BF16/AMX) or GPU runs it natively, else fp32 (default ${DEFAULT-VALUE}).")
    String precision;

    @Parameters(arity = "1..*", paramLabel = "IMAGES_OR_FOLDERS")
    List<Path> inputs;

    @Override
    public Integer call() throws Exception {
        precision = dev.rali.engine.clip.Precision.checkChoice(precision); // a typo fails before the model loads
        List<String> missing = new ArrayList<>();
        for (Path p : inputs) {
            if (!Files.exists(p)) {
                missing.add(p.toString());
            }
        }
        List<Path> files = ImageLoader.listImages(inputs.stream().filter(Files::exists).toList());
        if (out != null) {
            // before the model is opened: an --out that is an input image or the model itself is refused
            OutputPaths.file(out, "csv").protect(model, "the model bundle " + model)
                    .inputs(inputs).inputs(files).force(force).check();
        }
        ConsoleTaskContext ctx = new ConsoleTaskContext().cancelOnInterrupt();
        int[] counts = new int[2];
        try (BundleScorer scorer = BundleScorer.open(model, device, precision, batch);
             AtomicFiles.Output file = out == null ? null : AtomicFiles.open(out);
             PrintWriter w = file == null
                     ? new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true)
                     : new PrintWriter(file.writer())) {
            System.err.println("rali score: " + files.size() + " image(s) with " + scorer.describe());
            w.println("file,score,status");
            for (String m : missing) {
                w.println(CsvTable.quote(m) + ",," + CsvTable.quote("error: no such file or folder"));
                System.err.println("rali score: " + m + ": no such file or folder");
            }
            scorer.scoreAll(files, r -> {
                if (r.isOk()) {
                    counts[0]++;
                    w.println(CsvTable.quote(r.file().toString()) + ","
                            + String.format(Locale.ROOT, "%.4f", r.score()) + ",ok");
                } else {
                    counts[1]++;
                    w.println(CsvTable.quote(r.file().toString()) + ",," + CsvTable.quote("error: " + r.error()));
                    System.err.println("rali score: " + ImageLoadException.naming(r.file(), r.error()));
                }
            }, ctx);
            w.flush();
            if (w.checkError()) {
                throw new java.io.IOException("cannot write " + out + ": write failed (disk full?)");
            }
            if (file != null) {
                file.commit(); // only a finished table replaces the previous one
            }
        }
        System.err.printf("rali score: %d scored, %d failed%s%n", counts[0], counts[1] + missing.size(),
                out == null ? "" : ", written to " + out);
        return counts[0] > 0 ? 0 : 1;
    }
}

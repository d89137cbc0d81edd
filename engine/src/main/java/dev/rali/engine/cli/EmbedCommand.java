package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.clip.ClipTokenizer;
import dev.rali.engine.clip.ImageEmbedder;
import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.io.OutputPaths;
import dev.rali.engine.io.Safetensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code rali embed}: CLIP embeddings (projected, not normalised, as {@code get_image_features} /
 * {@code get_text_features}) of images or texts. Images go through the {@link ImageEmbedder} (the next batch is
 * decoded while the current one is in the encoder); unreadable images are reported and skipped.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Print or write CLIP embeddings of images (files/folders) or, with --text, of texts.")
public final class EmbedCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "HF CLIP folder or model bundle.")
    Path model;

    @Option(names = "--out", description = "Write a safetensors file (tensor 'embeddings' [n,d]; metadata 'names' JSON).")
    Path out;

    @Option(names = "--force", description = "Replace an existing --out file that is not a .safetensors file.")
    boolean force;

    @Option(names = "--text", description = "Inputs are texts, not images.")
    boolean text;

    @Option(names = "--batch", defaultValue = "16", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto.")
    String device;

    @Option(names = "--precision", defaultValue = "auto", description = "Image-encoder precision: fp32, bf16, or auto = "
            + "bf16 where the CPU (AVX-512-BF16/AMX) or GPU runs it natively, else fp32 (default ${DEFAULT-VALUE}). "
            + "Texts are always embedded in fp32.")
    String precision;

    @Parameters(arity = "1..*", paramLabel = "IMAGES_OR_FOLDERS|TEXTS")
    List<String> inputs;

    @Override
    public Integer call() throws Exception {
        precision = dev.rali.engine.clip.Precision.checkChoice(precision); // a typo fails before the model loads
        List<String> names = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        int failed = 0;
        if (out != null) {
            OutputPaths.file(out, "safetensors").protect(model, "the model " + model)
                    .inputs(text ? List.of() : inputs.stream().map(Path::of).toList()).force(force).check();
        }
        ConsoleTaskContext ctx = new ConsoleTaskContext().cancelOnInterrupt();
        if (text) {
            try (ClipModel m = ClipModel.load(model, ClipLoadOptions.defaults().withDevice(device))) {
                ClipTokenizer tok = ClipTokenizer.forModelDir(model);
                int len = m.config().text().maxPositionEmbeddings();
                for (int s = 0; s < inputs.size(); s += batch) {
                    List<String> chunk = inputs.subList(s, Math.min(inputs.size(), s + batch));
                    long[][] ids = chunk.stream().map(t -> tok.encode(t, len)).toArray(long[][]::new);
                    float[][] e = m.embedTexts(ids);
                    names.addAll(chunk);
                    vectors.addAll(List.of(e));
                    ctx.progress("embed", names.size(), inputs.size(), "");
                }
            }
        } else {
            List<Path> files = ImageLoader.listImages(inputs.stream().map(Path::of).toList());
            try (ImageEmbedder embedder = ImageEmbedder.open(model,
                    ClipLoadOptions.defaults().withDevice(device).withPrecision(precision))) {
                System.err.println("rali embed: " + files.size() + " image(s), encoder "
                        + embedder.model().precision().label() + " on " + embedder.model().device().getDeviceType());
                embedder.embed(files, ImageEmbedder.Options.defaults().withBatch(batch), ctx, results -> {
                    for (ImageEmbedder.Result r : results) {
                        if (r.ok()) {
                            names.add(r.file().toString());
                            vectors.add(r.embedding());
                        } else {
                            System.err.println("rali embed: skipped " + r.message());
                        }
                    }
                });
            }
            failed = files.size() - vectors.size();
        }
        if (vectors.isEmpty()) {
            System.err.println("rali embed: nothing embedded");
            return 1;
        }
        int d = vectors.get(0).length;
        if (out != null) {
            float[] flat = new float[vectors.size() * d];
            for (int i = 0; i < vectors.size(); i++) {
                System.arraycopy(vectors.get(i), 0, flat, i * d, d);
            }
            new Safetensors.Writer().metadata("names", new ObjectMapper().writeValueAsString(names))
                    .metadata("model", model.toAbsolutePath().toString())
                    .putFloats("embeddings", flat, vectors.size(), d).write(out);
            System.err.printf("rali embed: %d embeddings of dim %d written to %s (%d skipped)%n", vectors.size(), d,
                    out, failed);
        } else {
            for (int i = 0; i < vectors.size(); i++) {
                StringBuilder sb = new StringBuilder(names.get(i).replace('\t', ' '));
                for (float v : vectors.get(i)) {
                    sb.append('\t').append(String.format(Locale.ROOT, "%.6g", v));
                }
                System.out.println(sb);
            }
        }
        return 0; // nothing embedded returned 1 above
    }
}

package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.clip.ClipConfig;
import dev.rali.engine.clip.ClipConformance;
import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ClipModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code rali model}: checks on CLIP model folders. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "CLIP model folders (Hugging Face layout).",
        subcommands = {ModelCommand.Verify.class, ModelCommand.Random.class}, synopsisSubcommandLabel = "COMMAND")
public final class ModelCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code rali model verify}: runs a reference file's inputs and reports the error of every output. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Run the inputs of a reference file (pixel_values, input_ids) through the model and print the"
                    + " largest absolute error of each reference tensor.",
                    "Exit status 0 when every tensor is within the tolerance, 2 when any is not."})
    static final class Verify implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "HF CLIP folder (config.json + model.safetensors)")
        Path model;

        @Option(names = "--expected", required = true, paramLabel = "FILE",
                description = "reference safetensors: inputs plus expected outputs (e.g. expected.safetensors)")
        Path expected;

        @Option(names = "--tolerance", defaultValue = "1e-4", description = "largest allowed absolute error (default ${DEFAULT-VALUE})")
        double tolerance;

        @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or auto (default ${DEFAULT-VALUE})")
        String device;

        @Option(names = "--json", description = "print JSON instead of a table")
        boolean json;

        @Override
        public Integer call() throws Exception {
            ClipConformance.Report r = ClipConformance.verify(model, expected, tolerance,
                    ClipLoadOptions.cpu().withDevice(device));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ObjectNode root = om.createObjectNode();
                root.put("model", model.toString());
                root.put("expected", expected.toString());
                root.put("tolerance", tolerance);
                root.put("passed", r.passed());
                root.put("max_abs_error", r.maxError());
                ArrayNode ts = root.putArray("tensors");
                for (ClipConformance.TensorResult t : r.results()) {
                    ObjectNode n = ts.addObject();
                    n.put("name", t.name());
                    ArrayNode shape = n.putArray("shape");
                    Arrays.stream(t.shape()).forEach(shape::add);
                    n.put("max_abs_error", t.maxAbsError());
                    n.put("ok", t.ok());
                }
                ArrayNode nc = root.putArray("not_checked");
                r.notChecked().forEach(nc::add);
                out.println(om.writeValueAsString(root));
            } else {
                out.printf(Locale.ROOT, "%-32s %-18s %12s  %s%n", "tensor", "shape", "max |err|", "");
                for (ClipConformance.TensorResult t : r.results()) {
                    out.printf(Locale.ROOT, "%-32s %-18s %12.3e  %s%n", t.name(), Arrays.toString(t.shape()),
                            t.maxAbsError(), t.ok() ? "ok" : "FAIL");
                }
                for (String n : r.notChecked()) {
                    out.printf(Locale.ROOT, "%-32s %-18s %12s  %s%n", n, "", "", "not checked (unknown name)");
                }
                out.printf(Locale.ROOT, "%s: %d tensors, max |err| %.3e, tolerance %.1e%n", r.passed() ? "PASSED" : "FAILED",
                        r.results().size(), r.maxError(), tolerance);
            }
            out.flush();
            return r.passed() ? 0 : 2;
        }
    }

    /**
     * {@code rali model random}: a CLIP folder with random weights of a published size, for benchmarks and
     * fidelity checks that need the real shapes (a ViT-L/14-336 is 1.7 GB) but no downloaded weights.
     */
    @Command(name = "random", mixinStandardHelpOptions = true,
            description = {"Write a Hugging Face CLIP folder (config.json + model.safetensors) with random weights of"
                    + " a preset size (CLIP's initialisation: N(0, 0.02) weights, layer norms 1/0), e.g. for"
                    + " bench/bf16_fidelity.py or the scoring rows of bench/perf_report.sh. Same seed, same weights."})
    static final class Random implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", defaultValue = "vit-l-14-336", paramLabel = "PRESET|FILE",
                description = "preset (vit-b-32, vit-b-16, vit-l-14, vit-l-14-336) or a config.json (default ${DEFAULT-VALUE})")
        String config;

        @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder to write (must not hold a model)")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (java.nio.file.Files.exists(out.resolve("model.safetensors"))) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        out + ": already holds a model.safetensors (not overwritten)");
            }
            ClipConfig cfg = config.endsWith(".json") ? ClipConfig.read(Path.of(config)) : ClipConfig.preset(config);
            try (ClipModel m = ClipModel.random(cfg, seed, ClipLoadOptions.cpu())) {
                m.saveHf(out);
            }
            PrintWriter w = spec.commandLine().getOut();
            w.printf(Locale.ROOT, "rali model random: %s (%s, seed %d, image tower %d wide x %d layers)%n", out,
                    config, seed, cfg.vision().hiddenSize(), cfg.vision().numLayers());
            w.flush();
            return 0;
        }
    }
}

package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.clip.ClipBench;
import dev.rali.engine.clip.ClipConfig;
import dev.rali.engine.clip.ClipLoadOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code rali bench}: performance measurements. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Performance measurements.",
        subcommands = {BenchCommand.Clip.class}, synopsisSubcommandLabel = "COMMAND")
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code rali bench clip}: image-tower throughput against a matmul roofline. */
    @Command(name = "clip", mixinStandardHelpOptions = true,
            description = {"Image-tower throughput of a CLIP with random weights, and a plain matmul of the same FLOPs"
                    + " as roofline (run in the same process)."})
    static final class Clip implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", defaultValue = "vit-l-14-336", paramLabel = "PRESET|FILE",
                description = "preset (vit-b-32, vit-b-16, vit-l-14, vit-l-14-336) or a config.json (default ${DEFAULT-VALUE})")
        String config;

        @Option(names = "--batch", defaultValue = "1", description = "images per forward (default ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--iters", defaultValue = "3", description = "timed iterations (default ${DEFAULT-VALUE})")
        int iters;

        @Option(names = "--warmup", defaultValue = "1", description = "untimed iterations first (default ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto (default ${DEFAULT-VALUE})")
        String device;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            ClipConfig cfg;
            Path p = Path.of(config);
            if (Files.isRegularFile(p)) {
                cfg = ClipConfig.read(p);
            } else if (config.endsWith(".json")) {
                throw new java.io.IOException(p + ": no such file");
            } else {
                cfg = ClipConfig.preset(config);
            }
            ConsoleTaskContext ctx = new ConsoleTaskContext(System.err, json);
            ClipBench.Result r = ClipBench.run(cfg, config, batch, iters, warmup,
                    ClipLoadOptions.defaults().withDevice(device), ctx);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ObjectNode n = om.createObjectNode();
                n.put("config", r.config());
                n.put("device", r.device());
                n.put("threads", r.threads());
                n.put("batch", r.batch());
                n.put("iters", r.iters());
                n.put("images_per_s", r.imagesPerS());
                n.put("ms_per_batch", r.msPerBatch());
                n.put("gflop_per_image", r.gflopPerImage());
                n.put("gflops", r.gflops());
                n.put("matmul_gflops", r.matmulGflops());
                n.put("roofline_share", r.rooflineShare());
                n.put("peak_mem_mb", r.peakMemMb());
                out.println(om.writeValueAsString(n));
            } else {
                out.printf(Locale.ROOT, "CLIP %s image tower on %s (%d threads), batch %d, %d timed iterations%n",
                        r.config(), r.device(), r.threads(), r.batch(), r.iters());
                out.printf(Locale.ROOT, "  %.1f ms/batch, %.3f images/s, %.1f GFLOP/image, %.1f GFLOP/s%n",
                        r.msPerBatch(), r.imagesPerS(), r.gflopPerImage(), r.gflops());
                out.printf(Locale.ROOT, "  matmul roofline %.1f GFLOP/s -> %.0f%% of roofline; peak memory %.0f MB%n",
                        r.matmulGflops(), 100 * r.rooflineShare(), r.peakMemMb());
            }
            out.flush();
            return 0;
        }
    }
}

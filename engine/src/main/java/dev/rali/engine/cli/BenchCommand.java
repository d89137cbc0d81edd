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
        subcommands = {BenchCommand.Clip.class, BenchCommand.Score.class, BenchCommand.Train.class}, synopsisSubcommandLabel = "COMMAND")
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A preset name (vit-b-32 ... vit-l-14-336, or demo: the demo's CLIP) or a CLIP config.json. */
    static ClipConfig config(String config) throws java.io.IOException {
        Path p = Path.of(config);
        if (Files.isRegularFile(p)) {
            return ClipConfig.read(p);
        }
        if (config.endsWith(".json")) {
            throw new java.io.IOException(p + ": no such file");
        }
        if (config.equals("demo")) {
            return dev.rali.engine.sample.DemoClipFactory.clipConfig(dev.rali.engine.sample.DemoClipFactory.Config.defaults());
        }
        return ClipConfig.preset(config);
    }

    /** Which libtorch ran (the bundled one, or the folder RALI_TORCH_LIB named). */
    static String engineLabel() {
        return "rali (DJL 0.36, libtorch " + dev.rali.engine.clip.TorchRuntime.libtorch() + ")";
    }

    /** The 1-minute load average (what the machine's other work was doing to a timing), "n/a" off Linux. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** What the JIT did around the timed steps, for the text output. */
    static String jitNote(dev.rali.engine.pipeline.AlignmentBench.Result r) {
        String during = r.jitMsTimed() < 0 ? "" : ", " + r.jitMsTimed() + " ms compiling during the timed steps";
        return (r.jitSettled() ? "quiet" : "still compiling after " + (int) dev.rali.engine.clip.JitWarmup.MAX_WAIT_S
                + " s") + during;
    }

    /** {@code rali bench clip}: image-tower throughput against a matmul roofline. */
    @Command(name = "clip", mixinStandardHelpOptions = true,
            description = {"Image-tower throughput of a CLIP with random weights, and a plain matmul of the same FLOPs"
                    + " as roofline (run in the same process)."})
    static final class Clip implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", defaultValue = "vit-l-14-336", paramLabel = "PRESET|FILE",
                description = "preset (demo, vit-b-32, vit-b-16, vit-l-14, vit-l-14-336) or a config.json (default ${DEFAULT-VALUE})")
        String config;

        @Option(names = "--batch", defaultValue = "1", description = "images per forward (default ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--iters", defaultValue = "3", description = "timed iterations (default ${DEFAULT-VALUE})")
        int iters;

        @Option(names = "--warmup", defaultValue = "1", description = "untimed iterations first (default ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto (default ${DEFAULT-VALUE})")
        String device;

        @Option(names = "--precision", defaultValue = "fp32",
                description = "fp32, bf16 or auto (default ${DEFAULT-VALUE})")
        String precision;

        @Option(names = "--profile", paramLabel = "FILE", description = "write libtorch's profile of one more forward "
                + "after the timed ones, not counted in them (per op: CPU time, input shapes, and on a GPU the CUDA "
                + "time; Chrome trace JSON: chrome://tracing, Perfetto or bench/profile_table.py)")
        Path profile;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            precision = dev.rali.engine.clip.Precision.checkChoice(precision);
            ClipConfig cfg = config(config);
            ConsoleTaskContext ctx = new ConsoleTaskContext(System.err, json);
            dev.rali.engine.clip.TorchProfiler.checkTarget(profile);
            ClipBench.Result r = ClipBench.run(cfg, config, batch, iters, warmup,
                    ClipLoadOptions.defaults().withDevice(device).withPrecision(precision), profile, ctx);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ObjectNode n = om.createObjectNode();
                n.put("config", r.config());
                n.put("device", r.device());
                n.put("precision", r.precision());
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
                out.printf(Locale.ROOT, "CLIP %s image tower, %s on %s (%d threads), batch %d, %d timed iterations%n",
                        r.config(), r.precision(), r.device(), r.threads(), r.batch(), r.iters());
                out.printf(Locale.ROOT, "  %.1f ms/batch, %.3f images/s, %.1f GFLOP/image, %.1f GFLOP/s%n",
                        r.msPerBatch(), r.imagesPerS(), r.gflopPerImage(), r.gflops());
                out.printf(Locale.ROOT, "  matmul roofline %.1f GFLOP/s -> %.0f%% of roofline; peak memory %.0f MB%n",
                        r.matmulGflops(), 100 * r.rooflineShare(), r.peakMemMb());
            }
            out.flush();
            return 0;
        }
    }

    /** {@code rali bench score}: end-to-end scoring throughput of a bundle, with stage shares and memory. */
    @Command(name = "score", mixinStandardHelpOptions = true,
            description = {"End-to-end scoring throughput of a model bundle on images: images/s, the share of time in "
                    + "decode, preprocessing, encoder and head, how much decode is not hidden behind the encoder, "
                    + "peak memory; with --repeat, resident memory after each pass (leak check)."})
    static final class Score implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--model", required = true, description = "model bundle folder (NAME.rali-model)")
        Path model;

        @Option(names = "--batch", defaultValue = "16", description = "images per encoder batch (default ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto (default ${DEFAULT-VALUE})")
        String device;

        @Option(names = "--precision", defaultValue = "auto",
                description = "fp32, bf16 or auto (default ${DEFAULT-VALUE})")
        String precision;

        @Option(names = "--repeat", defaultValue = "1",
                description = "scored passes over the folder; > 2 adds the leak check (RSS growth after pass 1 must "
                        + "stay within 5 %%; exit 3 otherwise) (default ${DEFAULT-VALUE})")
        int repeat;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @CommandLine.Parameters(arity = "1..*", paramLabel = "IMAGES_OR_FOLDERS")
        java.util.List<Path> inputs;

        @Override
        public Integer call() throws Exception {
            precision = dev.rali.engine.clip.Precision.checkChoice(precision);
            if (batch < 1 || repeat < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batch and --repeat must be >= 1");
            }
            java.util.List<Path> files = dev.rali.engine.image.ImageLoader.listImages(inputs);
            ConsoleTaskContext ctx = new ConsoleTaskContext(System.err, json).cancelOnInterrupt();
            dev.rali.engine.score.ScoreBench.Result r = dev.rali.engine.score.ScoreBench.run(model, files, device,
                    precision, batch, repeat, ctx);
            double total = r.decodeS() + r.preprocessS() + r.encoderS() + r.headS();
            boolean leak = r.rssGrowth() > 0.05;
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ObjectNode n = om.createObjectNode();
                n.put("model", r.model());
                n.put("device", r.device());
                n.put("precision", r.precision());
                n.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
                n.put("images", r.images());
                n.put("batch", r.batch());
                n.put("images_per_s", r.imagesPerS());
                n.put("wall_s", r.pipelinedS());
                n.put("not_overlapped_share", r.notOverlapped());
                ObjectNode shares = n.putObject("shares");
                shares.put("decode", r.decodeS() / total);
                shares.put("preprocess", r.preprocessS() / total);
                shares.put("encoder", r.encoderS() / total);
                shares.put("head", r.headS() / total);
                ObjectNode secs = n.putObject("stage_seconds");
                secs.put("decode", r.decodeS());
                secs.put("preprocess", r.preprocessS());
                secs.put("encoder", r.encoderS());
                secs.put("head", r.headS());
                n.put("peak_rss_mb", r.peakRssMb());
                r.rssAfterPassMb().forEach(n.putArray("rss_after_pass_mb")::add);
                n.put("rss_growth", r.rssGrowth());
                n.put("load_average", loadAverage());
                out.println(om.writeValueAsString(n));
            } else {
                out.printf(Locale.ROOT, "scoring %d images with %s, encoder %s on %s, batch %d (load average %s)%n",
                        r.images(), r.model(), r.precision(), r.device(), r.batch(), loadAverage());
                out.printf(Locale.ROOT, "  %.3f images/s end to end (%.1f s); %.0f%% of the wall time not hidden "
                        + "behind the encoder%n", r.imagesPerS(), r.pipelinedS(), 100 * r.notOverlapped());
                out.printf(Locale.ROOT, "  stages one after another: decode %.0f%%, preprocess %.0f%%, encoder %.0f%%, "
                        + "head %.1f%%%n", 100 * r.decodeS() / total, 100 * r.preprocessS() / total,
                        100 * r.encoderS() / total, 100 * r.headS() / total);
                out.printf(Locale.ROOT, "  peak memory %.0f MB; resident after each pass %s MB%s%n", r.peakRssMb(),
                        r.rssAfterPassMb().stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList(),
                        repeat > 2 ? String.format(Locale.ROOT, " (growth after pass 1: %+.1f%%%s)",
                                100 * r.rssGrowth(), leak ? ", over 5%: LEAK?" : "") : "");
            }
            out.flush();
            return leak ? 3 : 0;
        }
    }

    /** {@code rali bench train}: the alignment stage's training step (forward, backward, AdamW) on random data. */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Times the alignment stage's training step (image tower forward, contrastive loss against "
                    + "frozen text embeddings, backward, gradient clipping and AdamW, with the stage's default "
                    + "settings) on a CLIP with random weights: ms/step, images/s, the share of forward, backward "
                    + "and optimizer, peak memory. Compare with bench/torch_train_bench.py (bench/train_report.sh "
                    + "runs both interleaved)."})
    static final class Train implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", defaultValue = "demo", paramLabel = "PRESET|FILE",
                description = "preset (demo, vit-b-32, vit-b-16, vit-l-14, vit-l-14-336) or a config.json "
                        + "(default ${DEFAULT-VALUE})")
        String config;

        @Option(names = "--batch", defaultValue = "8",
                description = "image-text pairs per step, at least 2 (default ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--steps", defaultValue = "3", description = "timed steps (default ${DEFAULT-VALUE})")
        int steps;

        @Option(names = "--warmup", defaultValue = "1",
                description = "untimed steps first (default ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--jit-quiet", defaultValue = "3", paramLabel = "SECONDS",
                description = "then more untimed steps until the JVM's JIT compiler has compiled nothing for this "
                        + "long, at most 60 s (0: no wait) (default ${DEFAULT-VALUE})")
        double jitQuiet;

        @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto (default ${DEFAULT-VALUE})")
        String device;

        @Option(names = "--precision", defaultValue = "fp32",
                description = "fp32 or bf16 (mixed precision with fp32 master weights) (default ${DEFAULT-VALUE})")
        String precision;

        @Option(names = "--profile", paramLabel = "FILE", description = "write libtorch's profile of one more step "
                + "after the timed ones, not counted in them (per op: CPU time, input shapes, and on a GPU the CUDA "
                + "time; Chrome trace JSON: chrome://tracing, Perfetto or bench/profile_table.py)")
        Path profile;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (!precision.equals("fp32") && !precision.equals("bf16")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--precision must be fp32 or bf16, got '" + precision + "'");
            }
            if (batch < 2) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--batch must be at least 2 (the contrastive loss needs negatives), got " + batch);
            }
            if (steps < 1 || warmup < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--steps must be >= 1 and --warmup >= 0");
            }
            if (!(jitQuiet >= 0)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--jit-quiet must be >= 0 seconds, got " + jitQuiet);
            }
            ClipConfig cfg = config(config);
            dev.rali.engine.clip.TorchProfiler.checkTarget(profile);
            ConsoleTaskContext ctx = new ConsoleTaskContext(System.err, json).cancelOnInterrupt();
            dev.rali.engine.pipeline.AlignmentBench.Result r = dev.rali.engine.pipeline.AlignmentBench.run(cfg,
                    config, batch, steps, warmup, jitQuiet, device, precision, profile, ctx);
            String load = loadAverage();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ObjectNode n = om.createObjectNode();
                n.put("engine", engineLabel());
                n.put("config", r.config());
                n.put("device", r.device());
                n.put("precision", r.precision());
                n.put("threads", r.threads());
                n.put("batch", r.batch());
                n.put("steps", r.steps());
                n.put("warmup", r.warmup());
                n.put("jit_settled", r.jitSettled());
                n.put("jit_ms_timed", r.jitMsTimed());
                n.put("ms_per_step", r.msPerStep());
                n.put("images_per_s", r.imagesPerS());
                ObjectNode shares = n.putObject("shares");
                shares.put("forward", r.forwardShare());
                shares.put("backward", r.backwardShare());
                shares.put("optimizer", r.optimizerShare());
                n.put("trainable_params", r.trainableParams());
                n.put("peak_rss_mb", r.peakRssMb());
                n.put("first_loss", r.firstLoss());
                n.put("last_loss", r.lastLoss());
                n.put("load_average", load);
                out.println(om.writeValueAsString(n));
            } else {
                out.printf(Locale.ROOT, "alignment step, CLIP %s image tower (%.1f M trainable), %s on %s (%d threads), "
                        + "batch %d, %d timed steps after %d warm-up (JIT %s; load average %s)%n", r.config(),
                        r.trainableParams() / 1e6, r.precision(), r.device(), r.threads(), r.batch(), r.steps(),
                        r.warmup(), jitNote(r), load);
                out.printf(Locale.ROOT, "  %.1f ms/step, %.3f images/s; forward %.0f%%, backward %.0f%%, "
                        + "optimizer %.0f%%; peak memory %.0f MB%n", r.msPerStep(), r.imagesPerS(),
                        100 * r.forwardShare(), 100 * r.backwardShare(), 100 * r.optimizerShare(), r.peakRssMb());
            }
            out.flush();
            return 0;
        }
    }
}

package dev.rali.engine.cli;

import dev.rali.engine.pipeline.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code rali demo}: the README's main command. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole RALI pipeline and its ablations on the embedded sample project, then export a bundle.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = "rali-demo", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--model", description = "Use this HF CLIP folder (e.g. clip-vit-large-patch14-336) instead of the demo's small CLIP.")
    Path model;

    @Option(names = "--ablations", split = ",", description = "Table 4 variants to run besides full "
            + "(default: all of ${DEFAULT-VALUE}).", defaultValue = "no_alignment,no_pca,plain_kmeans,no_seed_augmentation,no_score_definition")
    List<String> ablations;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto.")
    String device;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        ConsoleTaskContext ctx = new ConsoleTaskContext().cancelOnInterrupt();
        Demo.Result r = Demo.run(out, model, ablations, device, ctx);
        System.out.println();
        System.out.println("## Evaluation (held-out test photos; synthetic sample data)");
        System.out.println(r.results().toMarkdown());
        System.out.println("## Ablations (paper Table 4 shape)");
        System.out.println(r.ablationTable());
        System.out.printf("demo finished in %.1f min%n", (System.nanoTime() - t0) / 6e10);
        System.out.println("project: " + r.project());
        System.out.println("bundle: " + r.bundle());
        return 0;
    }
}

package dev.rali.engine.cli;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.pipeline.BundleExport;
import dev.rali.engine.project.ProjectStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code rali export}: a finished run → a model bundle folder. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a trained run as a model bundle (HF encoder + rali.safetensors + manifest).")
public final class ExportCommand implements Callable<Integer> {

    @Option(names = "--project", required = true, description = "Project file (*.rali).")
    Path project;

    @Option(names = "--run", required = true, description = "Run id (see `rali runs`).")
    long run;

    @Option(names = "--out", required = true, description = "Bundle folder to write, e.g. koniq.rali-model.")
    Path out;

    @Option(names = "--force", description = "Replace --out if it is a model bundle already (anything else there is "
            + "never replaced).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        try (ProjectStore store = CliProjects.openExisting(project)) {
            ModelBundle b = BundleExport.export(store, run, out, force);
            System.out.println("bundle: " + b.dir());
        }
        return 0;
    }
}

package dev.rali.engine.cli;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.bundle.OfficialImport;
import dev.rali.engine.bundle.OfficialRelease;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code rali import-official}: the authors' RALI release (best/, basis.npz, pca.pkl, ckpt.pt) → our bundle. */
@Command(name = "import-official", mixinStandardHelpOptions = true,
        description = "Convert the official RALI release (best/, basis.npz, pca.pkl, ckpt.pt) into a model bundle. "
                + "Pickles are read with an allow-list unpickler; nothing is executed.")
public final class ImportOfficialCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "Release folder.")
    Path dir;

    @Option(names = "--out", required = true, description = "Bundle folder to write, e.g. official.rali-model.")
    Path out;

    @Option(names = "--force", description = "Replace --out if it is a model bundle already (anything else there is "
            + "never replaced).")
    boolean force;

    @Option(names = "--logit-scale", defaultValue = "RAW",
            description = "How ckpt.pt stores logit_scale: RAW (the multiplier, default: ≈14.29 = 1/0.07) or EXP (its log).")
    OfficialRelease.LogitScale logitScale;

    @Override
    public Integer call() throws Exception {
        ModelBundle b = OfficialImport.toBundle(dir, out, logitScale, force, new ConsoleTaskContext().cancelOnInterrupt());
        System.out.println("bundle: " + b.dir());
        return 0;
    }
}

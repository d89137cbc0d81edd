package dev.rali.engine.cli;

import dev.rali.engine.pipeline.EmbeddingImport;
import dev.rali.engine.project.ProjectStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code rali import-embeddings}: a Parquet of embeddings (the Spark embed job's output) into a project's cache. */
@Command(name = "import-embeddings", mixinStandardHelpOptions = true,
        description = "Import image embeddings from Parquet (rali-spark embed, or score --embeddings: columns path, "
                + "status, embedding array<float>, content_sha256, encoder_sha256) into the project's embedding "
                + "cache, so the pipeline and analyses reuse them instead of embedding those images again.")
public final class ImportEmbeddingsCommand implements Callable<Integer> {

    @Option(names = "--project", required = true, description = "Project file (NAME.rali).")
    Path project;

    @Parameters(paramLabel = "PARQUET", description = "A Parquet file or a folder of part files (Spark's output).")
    Path parquet;

    @Override
    public Integer call() throws Exception {
        ConsoleTaskContext ctx = new ConsoleTaskContext().cancelOnInterrupt();
        EmbeddingImport.Report r;
        try (ProjectStore store = CliProjects.openForWriting(project, "no such project", "import-embeddings")) {
            r = EmbeddingImport.run(store, parquet, ctx);
        }
        System.err.printf("rali import-embeddings: %d row(s) from %s: %d new, %d already cached, %d error row(s) "
                        + "skipped; %d of the project's %d image(s) now have an embedding from this file%n",
                r.rows(), parquet, r.imported(), r.alreadyCached(), r.errorRows(), r.projectMatches(),
                r.projectImages());
        for (Map.Entry<String, Integer> e : r.dims().entrySet()) {
            System.err.printf("rali import-embeddings: encoder %s: %d-d%n", e.getKey(), e.getValue());
        }
        return r.imported() + r.alreadyCached() > 0 ? 0 : 1;
    }
}

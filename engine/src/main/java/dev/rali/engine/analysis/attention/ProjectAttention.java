package dev.rali.engine.analysis.attention;

import dev.rali.engine.project.AttentionDumpRecords;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@link AttentionService} over a project's {@code attention_dumps} and {@link AttentionAnalysis}. */
public final class ProjectAttention implements AttentionService {

    @Override
    public List<ImportedDump> dumps(ProjectStore store) throws IOException {
        AttentionDumpRecords records = new AttentionDumpRecords(store);
        List<ImportedDump> out = new ArrayList<>();
        for (AttentionDumpRecords.DumpRow r : records.list()) {
            out.add(new ImportedDump(r.id(), r.folder(), records.folder(r), r.imageId(), r.imageName(), r.traceId(),
                    r.model(), r.tokens(), r.layers(), r.heads(), r.queries()));
        }
        return out;
    }

    @Override
    public AttentionDump read(Path folder) throws IOException {
        return AttentionDumps.read(folder);
    }

    @Override
    public AttentionReport report(AttentionDump dump, Integer layer, Integer head) {
        return new AttentionAnalysis(dump.numTokens()).add(dump.slice(layer, head));
    }

    @Override
    public AttentionAnalysis.Result analyze(List<Path> folders, int top, TaskContext ctx) throws IOException {
        return AttentionAnalysis.run(folders, top, ctx);
    }
}

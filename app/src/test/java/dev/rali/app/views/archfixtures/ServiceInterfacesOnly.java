package dev.rali.app.views.archfixtures;

import dev.rali.app.AppContext;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.task.BackgroundTask;

/** What a view may do (AppArchitectureTest checks that the rules let it pass): services, queries, tasks. */
public final class ServiceInterfacesOnly {
    private ServiceInterfacesOnly() { }

    static void runs(AppContext ctx) {
        ProjectQueries q = ctx.project().queries();
        PipelineService pipeline = ctx.services().get(PipelineService.class);
        ctx.tasks().execute(BackgroundTask.of("Load runs", c -> q.runs()).onSuccess(r -> pipeline.stages()));
    }
}

package dev.rali.app;

import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.ProjectStore;
import java.io.IOException;
import java.nio.file.Path;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

/**
 * The open project (at most one) shared by every view. Views listen to {@link #queriesProperty()} and reload
 * when it changes; {@link #changed()} tells them the project's content changed (import, run finished).
 */
public final class ProjectModel {
    private final ReadOnlyObjectWrapper<ProjectQueries> queries = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<Long> revision = new ReadOnlyObjectWrapper<>(0L);
    private final RecentProjects recent;

    public ProjectModel(RecentProjects recent) {
        this.recent = recent;
    }

    public ReadOnlyObjectProperty<ProjectQueries> queriesProperty() {
        return queries.getReadOnlyProperty();
    }

    /** Bumped whenever project content changes, so views reload. */
    public ReadOnlyObjectProperty<Long> revisionProperty() {
        return revision.getReadOnlyProperty();
    }

    public ProjectQueries queries() {
        return queries.get();
    }

    public ProjectStore store() {
        return queries.get() == null ? null : queries.get().store();
    }

    public RecentProjects recent() {
        return recent;
    }

    /** Opens (or creates) a project on the calling thread; call on the FX thread, it is fast (SQLite open + migrate). */
    public void open(Path file) throws IOException {
        ProjectStore store = ProjectStore.open(file);
        close();
        queries.set(new ProjectQueries(store));
        recent.add(store.file());
        changed();
    }

    public void changed() {
        revision.set(revision.get() + 1);
    }

    public void close() {
        ProjectQueries q = queries.get();
        if (q != null) {
            queries.set(null);
            try {
                q.store().close();
            } catch (IOException e) {
                // Closing a read connection cannot lose data; report nowhere but stderr.
                System.err.println("rali: " + e.getMessage());
            }
        }
    }
}

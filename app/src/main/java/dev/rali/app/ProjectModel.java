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
 *
 * <p>Two connections to the same SQLite file: {@link #store()} for engine jobs (imports, pipeline runs, which hold
 * long write transactions) and a second one behind {@link #queries()} for the views' reads and audit verdicts.
 * WAL mode lets the views read committed data while a job writes, instead of sharing (and seeing half of) the
 * job's transaction.
 */
public final class ProjectModel {
    private final ReadOnlyObjectWrapper<ProjectQueries> queries = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<Long> revision = new ReadOnlyObjectWrapper<>(0L);
    private final ReadOnlyObjectWrapper<Long> runsRevision = new ReadOnlyObjectWrapper<>(0L);
    private ProjectStore jobStore;
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

    /**
     * Bumped when the project's runs (their list or a status) changed without the app's own job telling it: a
     * {@code rali run} or {@code rali sweep run} in a terminal, seen by the Pipeline view's poll of SQLite's
     * data_version. Views that list runs (Results, Sweeps, Bases) reload their lists on it; metric points alone
     * do not bump it, so the views are not reloaded every few seconds while a run trains.
     */
    public ReadOnlyObjectProperty<Long> runsRevisionProperty() {
        return runsRevision.getReadOnlyProperty();
    }

    public void runsChanged() {
        runsRevision.set(runsRevision.get() + 1);
    }

    public ProjectQueries queries() {
        return queries.get();
    }

    /** The connection for engine jobs; null when no project is open. */
    public ProjectStore store() {
        return jobStore;
    }

    public RecentProjects recent() {
        return recent;
    }

    /** Opens (or creates) a project on the calling thread; call on the FX thread, it is fast (SQLite open + migrate). */
    public void open(Path file) throws IOException {
        ProjectStore store = ProjectStore.open(file);
        ProjectStore reads;
        try {
            reads = ProjectStore.open(store.file());
        } catch (IOException e) {
            quietly(store);
            throw e;
        }
        close();
        jobStore = store;
        queries.set(new ProjectQueries(reads));
        recent.add(store.file());
        changed();
    }

    public void changed() {
        revision.set(revision.get() + 1);
    }

    public void close() {
        ProjectQueries q = queries.get();
        if (q != null) {
            ProjectStore job = jobStore;
            jobStore = null;
            queries.set(null);
            quietly(q.store());
            quietly(job);
        }
    }

    private static void quietly(ProjectStore s) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException e) {
            // Every write is committed per transaction, so a failing close loses nothing; say so on stderr only.
            System.err.println("rali: " + e.getMessage());
        }
    }
}

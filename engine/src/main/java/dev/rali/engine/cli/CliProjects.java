package dev.rali.engine.cli;

import dev.rali.engine.project.ProjectStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opening the project a command names with {@code --project}. */
final class CliProjects {
    private CliProjects() { }

    /** Opens an existing project file; fails with "PATH: no such project" when there is none. */
    static ProjectStore openExisting(Path project) throws IOException {
        return openExisting(project, "no such project");
    }

    /**
     * Opens an existing project file for a writer command, holding the project's lock until closed; fails with
     * "PATH: reason" when there is none and with "project P is busy: run 12 by PID 4711 since 10:02" when another
     * process writes to it.
     */
    static ProjectStore openForWriting(Path project, String reason, String command) throws IOException {
        if (!Files.isRegularFile(project)) {
            throw new NoSuchFileException(project.toString(), null, reason);
        }
        return ProjectStore.openForWriting(project, command);
    }

    /** Opens an existing project file; fails with "PATH: reason" when there is none. */
    static ProjectStore openExisting(Path project, String reason) throws IOException {
        if (!Files.isRegularFile(project)) {
            throw new NoSuchFileException(project.toString(), null, reason);
        }
        return ProjectStore.open(project);
    }
}

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

    /** Opens an existing project file; fails with "PATH: reason" when there is none. */
    static ProjectStore openExisting(Path project, String reason) throws IOException {
        if (!Files.isRegularFile(project)) {
            throw new NoSuchFileException(project.toString(), null, reason);
        }
        return ProjectStore.open(project);
    }
}

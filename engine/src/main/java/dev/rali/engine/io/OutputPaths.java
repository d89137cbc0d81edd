package dev.rali.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The one guard every command runs on an output path before it reads or computes anything, so that writing a
 * result can never destroy the user's data. A target is refused when it
 * <ul>
 *   <li>is, or lies inside, a protected path: the project file and its {@code .rali.d} folder, the model being
 *       used, or any {@code NAME.rali.d} folder that has its {@code NAME.rali} beside it;</li>
 *   <li>is one of the command's inputs (e.g. {@code score --out photo.jpg photo.jpg});</li>
 *   <li>is a SQLite database (a project of this tool or anything else);</li>
 *   <li>for a file output: is a folder, or is an existing file of another kind (not {@code .csv} for a CSV)
 *       unless {@code --force} is given;</li>
 *   <li>for a folder output: exists and is not a folder this tool wrote (a model bundle), whatever the flags;
 *       one of ours is replaced only with {@code --force};</li>
 *   <li>has no parent folder: "cannot write X: directory Y does not exist".</li>
 * </ul>
 * The write itself then goes through {@link AtomicFiles}.
 */
public final class OutputPaths {
    private OutputPaths() { }

    /** What SQLite (journal, WAL, shared memory) and the project's writer lock keep beside a project file. */
    private static final List<String> PROJECT_SIDE_FILES = List.of("-journal", "-wal", "-shm", ".lock");

    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    /** A file output of the given kind, e.g. {@code file(out, "csv")}. */
    public static Target file(Path target, String extension) {
        return new Target(target, extension, null, null);
    }

    /**
     * A folder output; an existing folder at the target may be replaced (with force) only if {@code ours}
     * recognises it, e.g. {@code ModelBundle::isBundle}; {@code what} names such folders in messages.
     */
    public static Target folder(Path target, Predicate<Path> ours, String what) {
        return new Target(target, null, ours, what);
    }

    /** The error for a target whose folder is missing. */
    static IOException missingParent(Path abs) {
        return new IOException("cannot write " + abs + ": directory " + abs.getParent() + " does not exist");
    }

    /** An output about to be written; configure, then {@link #check()}. */
    public static final class Target {
        private final Path target;
        private final String extension;
        private final Predicate<Path> ours;
        private final String what;
        private final List<Path> protectedPaths = new ArrayList<>();
        private final List<String> protectedWhat = new ArrayList<>();
        private final List<Path> inputs = new ArrayList<>();
        private boolean force;

        private Target(Path target, String extension, Predicate<Path> ours, String what) {
            this.target = target;
            this.extension = extension;
            this.ours = ours;
            this.what = what;
        }

        /** Refuse the target if it is {@code p} or lies inside it; {@code what} names p in the message. */
        public Target protect(Path p, String what) {
            if (p != null) {
                protectedPaths.add(canonical(p));
                protectedWhat.add(what);
            }
            return this;
        }

        /** Protects a project: its file, SQLite's and the writer lock's files beside it, its {@code .rali.d} folder. */
        public Target protectProject(Path projectFile) {
            protect(projectFile, "the project " + projectFile);
            for (String side : PROJECT_SIDE_FILES) {
                protect(projectFile.resolveSibling(projectFile.getFileName() + side), "a file of the project " + projectFile);
            }
            return protect(projectFile.resolveSibling(projectFile.getFileName() + ".d"),
                    "the project folder of " + projectFile);
        }

        /** Refuse the target if it equals one of these input files or folders. */
        public Target inputs(Collection<Path> in) {
            for (Path p : in) {
                inputs.add(canonical(p));
            }
            return this;
        }

        public Target force(boolean f) {
            this.force = f;
            return this;
        }

        /** Throws an IOException naming the target and the reason if it must not be written; returns it absolute. */
        public Path check() throws IOException {
            Path abs = canonical(target);
            String shown = target.toString();
            for (int i = 0; i < protectedPaths.size(); i++) {
                Path p = protectedPaths.get(i);
                if (abs.equals(p)) {
                    throw new IOException("refusing to write " + shown + ": it is " + protectedWhat.get(i));
                }
                if (abs.startsWith(p)) {
                    throw new IOException("refusing to write " + shown + ": it is inside " + protectedWhat.get(i));
                }
            }
            for (Path q = abs; q != null; q = q.getParent()) {
                String n = q.getFileName() == null ? "" : q.getFileName().toString();
                if (n.endsWith(".rali.d") && Files.isRegularFile(q.resolveSibling(n.substring(0, n.length() - 2)))) {
                    throw new IOException("refusing to write " + shown + ": it is inside the project folder " + q
                            + " (the tool manages that folder)");
                }
            }
            String n = abs.getFileName() == null ? "" : abs.getFileName().toString();
            for (String side : PROJECT_SIDE_FILES) {
                if (n.endsWith(side) && Files.isRegularFile(abs.resolveSibling(n.substring(0, n.length() - side.length())))
                        && n.length() > side.length() && isSqlite(abs.resolveSibling(n.substring(0, n.length() - side.length())))) {
                    throw new IOException("refusing to write " + shown + ": it belongs to the database beside it");
                }
            }
            for (Path in : inputs) {
                if (abs.equals(in)) {
                    throw new IOException("refusing to write " + shown + ": it is one of the inputs");
                }
            }
            Path parent = abs.getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw missingParent(abs);
            }
            if (!Files.exists(abs)) {
                return abs;
            }
            if (Files.isRegularFile(abs) && isSqlite(abs)) {
                throw new IOException("refusing to write " + shown + ": it is an SQLite database (a project?);"
                        + " choose another output path");
            }
            if (ours != null) {
                if (!Files.isDirectory(abs) || !ours.test(abs)) {
                    throw new IOException("refusing to replace " + shown + ": it exists and is not " + what
                            + " written by rali; choose another output path");
                }
                if (!force) {
                    throw new IOException(shown + " already exists (" + what + "); pass --force to replace it");
                }
                return abs;
            }
            if (Files.isDirectory(abs)) {
                throw new IOException("refusing to write " + shown + ": it is a folder; name a file");
            }
            if (!force && !hasExtension(abs, extension)) {
                throw new IOException(shown + " already exists and is not a ." + extension
                        + " file; pass --force to replace it");
            }
            return abs;
        }
    }

    private static boolean hasExtension(Path p, String ext) {
        return ext != null && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith("." + ext);
    }

    private static boolean isSqlite(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            return Arrays.equals(in.readNBytes(SQLITE_MAGIC.length), SQLITE_MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    /** Absolute, normalised, with symbolic links resolved in the part of the path that exists. */
    static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Deque<Path> rest = new ArrayDeque<>();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            rest.push(existing.getFileName());
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        Path real;
        try {
            real = existing.toRealPath();
        } catch (IOException e) {
            return abs;
        }
        while (!rest.isEmpty()) {
            real = real.resolve(rest.pop());
        }
        return real;
    }
}

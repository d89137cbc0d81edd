package dev.rali.engine.project;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A RALI project: one SQLite file ({@code NAME.rali}) plus a sibling folder {@code NAME.rali.d/} for large
 * artifacts (checkpoints, embedding caches, bundles). The schema is versioned by {@code PRAGMA user_version}:
 * opening a project applies every migration resource {@code V<n>__*.sql} newer than its version, each in one
 * transaction, so a project made by an older build opens in a newer one. WAL journaling and foreign keys are on.
 */
public final class ProjectStore implements AutoCloseable {

    /** Migration scripts in order; index i holds version i+1. */
    static final List<String> MIGRATIONS = List.of("V1__initial.sql", "V2__settings.sql",
            "V3__image_exclusion.sql", "V4__attention_dumps.sql", "V5__run_labels.sql",
            "V6__sweeps.sql", "V7__image_fields.sql");

    public static final String EXTENSION = ".rali";

    private final Path file;
    private final Connection connection;
    private ProjectLock writerLock;
    private int writerHolds;

    private ProjectStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** Opens the project, creating it if absent, and migrates it to the current schema. */
    public static ProjectStore open(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        Files.createDirectories(abs.getParent());
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + abs);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("PRAGMA synchronous=NORMAL");
            }
            ProjectStore store = new ProjectStore(abs, c);
            try {
                store.migrate();
                store.recoverInterruptedRuns();
            } catch (IOException | SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
            return store;
        } catch (SQLException e) {
            throw new IOException(abs + ": cannot open project: " + e.getMessage(), e);
        }
    }

    /**
     * Opens an existing or new project for a writer command (run, import, generate…): takes the project's lock
     * ({@link ProjectLock}) for as long as the store is open, so a second writer gets "project is busy: run 12 by
     * PID 4711 since 10:02" instead of training into the same work folder or racing on the same rows.
     */
    public static ProjectStore openForWriting(Path file, String command) throws IOException {
        ProjectLock lock = ProjectLock.acquireProject(file, command);
        ProjectStore store;
        try {
            store = open(file);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        synchronized (store) {
            store.writerLock = lock;
            store.writerHolds = 1; // released by close()
        }
        try {
            RunRecords.markInterrupted(store, lock.stale().orElse(null));
            SweepRecords.markInterrupted(store);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /**
     * A run (or sweep point) still {@code running} whose process is gone (killed, crashed) becomes {@code interrupted}. Only when
     * nobody holds the project's writer lock — a live writer holds it for as long as its run is running — so this
     * takes the lock for a moment; a busy project is left alone.
     */
    private void recoverInterruptedRuns() throws IOException {
        if (!RunRecords.anyRunning(this) && !SweepRecords.anyRunning(this)) {
            return;
        }
        Optional<ProjectLock> free = ProjectLock.tryAcquireProject(file, "recover interrupted runs");
        if (free.isPresent()) {
            try (ProjectLock l = free.get()) {
                RunRecords.markInterrupted(this, l.stale().orElse(null));
                SweepRecords.markInterrupted(this); // sweep points the dead process was running
            }
        }
    }

    /**
     * Holds the project's writer lock until the returned hold is closed: taken now unless this store already holds
     * it (reentrant, so a CLI command that opened the store for writing and the engine service it calls share one
     * lock); a {@link ProjectLock.BusyException} when another writer holds it.
     */
    public synchronized Hold holdWriterLock(String command) throws IOException {
        if (writerLock == null) {
            ProjectLock l = ProjectLock.acquireProject(file, command);
            try {
                RunRecords.markInterrupted(this, l.stale().orElse(null));
            } catch (IOException | RuntimeException e) {
                l.close();
                throw e;
            }
            writerLock = l;
        }
        writerHolds++;
        return new Hold();
    }

    /** The writer lock this store holds, if any. */
    public synchronized Optional<ProjectLock> writerLock() {
        return Optional.ofNullable(writerLock);
    }

    /** One hold on the writer lock; the lock is released when the last hold (or the store) closes. */
    public final class Hold implements AutoCloseable {
        private boolean closed;

        @Override
        public void close() throws IOException {
            synchronized (ProjectStore.this) {
                if (closed) {
                    return;
                }
                closed = true;
                if (--writerHolds == 0) {
                    releaseWriterLock();
                }
            }
        }
    }

    private synchronized void releaseWriterLock() throws IOException {
        ProjectLock l = writerLock;
        writerLock = null;
        writerHolds = 0;
        if (l != null) {
            l.close();
        }
    }

    /** The schema version this build writes. */
    public static int currentVersion() {
        return MIGRATIONS.size();
    }

    public int schemaVersion() throws SQLException {
        try (Statement s = connection.createStatement(); var rs = s.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        }
    }

    private void migrate() throws SQLException, IOException {
        int version = schemaVersion();
        if (version > MIGRATIONS.size()) {
            throw new IOException(file + ": project schema version " + version + " is newer than this build ("
                    + MIGRATIONS.size() + "); update RALI Workbench");
        }
        for (int v = version; v < MIGRATIONS.size(); v++) {
            List<String> statements = statements(MIGRATIONS.get(v));
            int target = v + 1;
            inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    for (String sql : statements) {
                        s.execute(sql);
                    }
                    s.execute("PRAGMA user_version=" + target);
                }
                return null;
            });
        }
    }

    static List<String> statements(String resource) throws IOException {
        try (InputStream in = ProjectStore.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing migration resource " + resource);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (String line : text.split("\n")) {
                String l = line.strip();
                int comment = l.indexOf("--");
                if (comment >= 0) {
                    l = l.substring(0, comment).strip();
                }
                if (l.isEmpty()) {
                    continue;
                }
                cur.append(l).append('\n');
                if (l.endsWith(";")) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            }
            if (!cur.toString().isBlank()) {
                out.add(cur.toString());
            }
            return out;
        }
    }

    /** The project file. */
    public Path file() {
        return file;
    }

    /** The folder beside the project file for large artifacts; created on first use. */
    public Path artifactDir() throws IOException {
        Path dir = file.resolveSibling(file.getFileName() + ".d");
        Files.createDirectories(dir);
        return dir;
    }

    /** The raw JDBC connection, for repositories in this package and the engine's services. */
    public Connection connection() {
        return connection;
    }

    /** A unit of work against the database. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException, IOException;
    }

    /**
     * Runs work in one transaction: committed if it returns, rolled back if it throws, so a multi-row write is
     * all-or-nothing even if the process is killed half-way. Nested calls join the outer transaction.
     */
    public synchronized <T> T inTransaction(SqlWork<T> work) throws SQLException, IOException {
        if (!connection.getAutoCommit()) {
            return work.run(connection);
        }
        connection.setAutoCommit(false);
        try {
            T result = work.run(connection);
            connection.commit();
            return result;
        } catch (SQLException | IOException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        } finally {
            releaseWriterLock();
        }
    }
}

package dev.rali.engine.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The writer lock of a project ({@code NAME.rali.lock} beside {@code NAME.rali}) or of a work folder
 * ({@code FOLDER/.rali.lock}): one process at a time may run, import or generate into it. The lock is an OS file
 * lock ({@link FileChannel#tryLock}) held for as long as the writer runs, so it dies with the process — a lock left
 * by a killed process is free again and the next writer takes it ("stale", see {@link #stale()}). The file holds
 * JSON naming the holder (pid, host, run id, command, start time) for the "busy" message; it is emptied, not
 * deleted, on release (deleting would let a waiting process lock an unlinked file while a third creates a new one).
 *
 * <p>Within one JVM the locks taken are also tracked in memory: the OS lock is per process, and opening a second
 * channel on a file this process has locked could release that lock when closed.
 */
public final class ProjectLock implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The locked byte: past the JSON, so other processes can read the holder even where locks are mandatory. */
    private static final long LOCK_OFFSET = 1L << 30;
    private static final Map<Path, ProjectLock> HELD = new HashMap<>();

    /** Who holds (or held) a lock. runId is null until the holder starts a run. */
    public record Holder(long pid, String host, Long runId, String command, Instant since) {

        /** "run 12 (rali run) by PID 4711 since 10:02" — the host is named when it is not this one. */
        public String describe() {
            StringBuilder sb = new StringBuilder();
            if (runId != null) {
                sb.append("run ").append(runId).append(" (").append(command).append(")");
            } else {
                sb.append(command);
            }
            sb.append(" by PID ").append(pid);
            if (host != null && !host.equals(hostName())) {
                sb.append(" on ").append(host);
            }
            ZonedDateTime t = since.atZone(ZoneId.systemDefault());
            sb.append(" since ").append(t.format(DateTimeFormatter.ofPattern(
                    t.toLocalDate().equals(LocalDate.now()) ? "HH:mm" : "yyyy-MM-dd HH:mm")));
            return sb.toString();
        }

        String toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.put("pid", pid);
            o.put("host", host);
            if (runId != null) {
                o.put("run_id", runId);
            }
            o.put("command", command);
            o.put("since", since.toString());
            return o.toString();
        }

        /** The holder recorded in a lock file; empty for an empty (released) or unreadable file. */
        static Optional<Holder> parse(String text) {
            if (text == null || text.isBlank()) {
                return Optional.empty();
            }
            try {
                JsonNode o = JSON.readTree(text);
                return Optional.of(new Holder(o.path("pid").asLong(), o.path("host").asText(null),
                        o.hasNonNull("run_id") ? o.get("run_id").asLong() : null, o.path("command").asText("?"),
                        Instant.parse(o.path("since").asText())));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    /** Another writer holds the lock; the message names it ("project is busy: run 12 by PID 4711 since 10:02"). */
    public static final class BusyException extends IOException {
        private final transient Holder holder;

        BusyException(String what, Holder holder, Path lockFile) {
            super(what + " is busy: " + (holder == null ? "another process holds " + lockFile : holder.describe())
                    + "; wait for it to finish or stop it, then try again");
            this.holder = holder;
        }

        /** The holder, when its lock file could be read. */
        public Optional<Holder> holder() {
            return Optional.ofNullable(holder);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Holder stale;
    private Holder holder;
    private boolean released;

    private ProjectLock(Path file, FileChannel channel, FileLock lock, Holder holder, Holder stale) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.holder = holder;
        this.stale = stale;
    }

    /** The lock file of a project: {@code NAME.rali.lock} beside {@code NAME.rali}. */
    public static Path lockFileOf(Path projectFile) {
        Path abs = projectFile.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".lock");
    }

    /** Takes the project's lock for {@code command} (e.g. "rali run"), or throws {@link BusyException}. */
    public static ProjectLock acquireProject(Path projectFile, String command) throws IOException {
        return acquire(lockFileOf(projectFile), "project " + projectFile.getFileName(), command);
    }

    /** Takes a work folder's lock ({@code FOLDER/.rali.lock}), or throws {@link BusyException}. */
    public static ProjectLock acquireFolder(Path folder, String command) throws IOException {
        Path dir = folder.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        return acquire(dir.resolve(".rali.lock"), "work folder " + dir, command);
    }

    /** The project's lock if nobody holds it (this process included), else empty; never waits. */
    public static Optional<ProjectLock> tryAcquireProject(Path projectFile, String command) throws IOException {
        try {
            return Optional.of(acquireProject(projectFile, command));
        } catch (BusyException e) {
            return Optional.empty();
        }
    }

    private static ProjectLock acquire(Path lockFile, String what, String command) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        synchronized (HELD) {
            ProjectLock mine = HELD.get(key);
            if (mine != null) {
                throw new BusyException(what, mine.holder(), key);
            }
            Files.createDirectories(key.getParent());
            FileChannel ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock fl;
            try {
                fl = ch.tryLock(LOCK_OFFSET, 1, false);
            } catch (OverlappingFileLockException e) {
                fl = null; // this JVM holds it through another path to the same file
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw new IOException(key + ": cannot lock: " + e.getMessage(), e);
            }
            try {
                String previous = read(ch);
                if (fl == null) {
                    ch.close();
                    throw new BusyException(what, Holder.parse(previous).orElse(null), key);
                }
                // The OS lock was free: whatever the file still names is a writer that died without releasing.
                Holder stale = Holder.parse(previous).orElse(null);
                Holder me = new Holder(ProcessHandle.current().pid(), hostName(), null, command, Instant.now());
                ProjectLock l = new ProjectLock(key, ch, fl, me, stale);
                l.write(me);
                HELD.put(key, l);
                return l;
            } catch (BusyException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
    }

    private static String read(FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 64 * 1024);
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
            // read until full or end of file
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }

    private synchronized void write(Holder h) throws IOException {
        byte[] bytes = h.toJson().getBytes(StandardCharsets.UTF_8);
        channel.truncate(0);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long pos = 0;
        while (buf.hasRemaining()) {
            pos += channel.write(buf, pos);
        }
        channel.force(false);
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** This holder (this process). */
    public synchronized Holder holder() {
        return holder;
    }

    /** The holder a killed process left in the file when this lock was taken; empty after a clean release. */
    public Optional<Holder> stale() {
        return Optional.ofNullable(stale);
    }

    /** Names the run this writer works on, so a busy message says "run 12". */
    public synchronized void runId(long runId) throws IOException {
        if (released) {
            return;
        }
        holder = new Holder(holder.pid(), holder.host(), runId, holder.command(), holder.since());
        write(holder);
    }

    /** Empties the file and releases the lock; idempotent. */
    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
            }
            try {
                channel.truncate(0);
                lock.release();
            } finally {
                channel.close();
                HELD.remove(file);
            }
        }
    }

    static String hostName() {
        return Host.NAME;
    }

    /** Looked up once: a host name lookup can be slow where DNS is. */
    private static final class Host {
        static final String NAME = lookup();

        private static String lookup() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "localhost";
            }
        }
    }
}

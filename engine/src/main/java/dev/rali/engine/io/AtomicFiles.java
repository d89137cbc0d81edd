package dev.rali.engine.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one way the tool writes an output file or folder: a reader (or a crash, or kill -9) sees either the previous
 * content or the complete new one, never half a file.
 * <p>
 * Files: written to a temp file in the target's folder, flushed and fsynced, then renamed over the target
 * ({@code ATOMIC_MOVE}, replacing it). Folders: built in a sibling temp folder, then swapped in; the previous folder
 * is moved aside first and deleted only once the new one is in place, and a previous folder left aside by a crash
 * between the two renames is put back by the next call. Temp names start with a dot and the target's name, so a
 * run killed mid-write leaves at most a hidden {@code .NAME.*.tmp} beside the target, never a damaged target; the
 * next write of that target removes such leftovers. A writer holds an OS lock on its temp file until it is renamed
 * or discarded, so only temps whose writer is gone (the OS drops the lock of a killed process) are removed.
 */
public final class AtomicFiles {
    private AtomicFiles() { }

    /** Writes the bytes of a file, e.g. a stream writer; may throw. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Fills a fresh folder; may throw. */
    @FunctionalInterface
    public interface FolderContent {
        void writeTo(Path dir) throws IOException;
    }

    /** Writes {@code text} as UTF-8 to {@code target} atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Writes what {@code content} produces to {@code target} atomically; on any failure the target is untouched. */
    public static void write(Path target, Content content) throws IOException {
        try (Output o = open(target)) {
            content.writeTo(o.stream());
            o.commit();
        }
    }

    /**
     * Opens a temp file for {@code target}, for output produced piece by piece (e.g. scores as images finish).
     * {@link Output#commit()} publishes it; closing without commit discards it and leaves the target as it was.
     */
    public static Output open(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw OutputPaths.missingParent(abs);
        }
        removeAbandonedTemps(abs);
        while (true) {
            Path tmp = unique(parent, "." + abs.getFileName() + ".", ".tmp");
            FileChannel channel;
            try {
                // CREATE_NEW, not createTempFile: the file gets the usual permissions (umask), not owner-only
                channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                continue; // another writer picked the same name: draw again
            }
            LIVE_TEMPS.add(tmp); // before locking, so this JVM's own cleaners never probe (and unlock) it
            try {
                // held until commit/close: tells removeAbandonedTemps in other writers that this temp is alive
                channel.lock();
            } catch (IOException noLocks) {
                // a file system without locks (some network mounts): write unlocked, as before; cleaners there
                // cannot lock other writers' temps either, so they remove none
            } catch (RuntimeException e) {
                channel.close();
                LIVE_TEMPS.remove(tmp);
                Files.deleteIfExists(tmp);
                throw e;
            }
            if (!Files.exists(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                // another process took it for abandoned between CREATE_NEW and lock(): draw again
                channel.close();
                LIVE_TEMPS.remove(tmp);
                continue;
            }
            return new Output(abs, tmp, channel);
        }
    }

    /**
     * Temps this JVM is writing. Checked before opening a temp to test its lock: on Linux, closing any channel of a
     * file drops all of the process's locks on it, so probing our own temp would unlock it for other processes.
     */
    private static final java.util.Set<Path> LIVE_TEMPS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Deletes the {@code .NAME.*.tmp} files beside {@code target} that no live writer holds: what a killed run left.
     * A temp locked by another process, or by this JVM (an {@link Output} still open), is kept.
     */
    static int removeAbandonedTemps(Path target) throws IOException {
        Path parent = target.getParent();
        String name = target.getFileName().toString();
        int removed = 0;
        List<Path> temps = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, "." + name + ".*.tmp")) {
            ds.forEach(temps::add);
        }
        for (Path p : temps) {
            if (LIVE_TEMPS.contains(p) || !Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
                java.nio.channels.FileLock lock;
                try {
                    lock = c.tryLock();
                } catch (java.nio.channels.OverlappingFileLockException inThisJvm) {
                    continue; // an Output of this JVM that LIVE_TEMPS has not seen yet
                }
                if (lock == null) {
                    continue; // another process is writing it
                }
                try {
                    Files.deleteIfExists(p);
                    removed++;
                } finally {
                    lock.release();
                }
            } catch (java.nio.file.NoSuchFileException gone) {
                // committed or discarded meanwhile
            } catch (IOException cannotTell) {
                // not ours to open, or no locks on this file system: leave it; the write itself must not fail
            }
        }
        return removed;
    }

    /** A temp file on its way to becoming {@code target}. */
    public static final class Output implements AutoCloseable {
        private final Path target;
        private final Path tmp;
        private final FileChannel channel;
        private final OutputStream stream;
        private Writer writer;
        private boolean done;

        private Output(Path target, Path tmp, FileChannel channel) {
            this.target = target;
            this.tmp = tmp;
            this.channel = channel;
            this.stream = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16) {
                @Override
                public void close() {
                    // closing the caller's wrappers must not close the file before commit()
                }
            };
        }

        public Path target() {
            return target;
        }

        public OutputStream stream() {
            return stream;
        }

        /** A UTF-8 writer on the same stream (one per output). */
        public Writer writer() {
            if (writer == null) {
                writer = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
            }
            return writer;
        }

        /** Flushes, fsyncs and renames the temp file over the target. */
        public void commit() throws IOException {
            if (done) {
                throw new IllegalStateException(target + ": already committed or discarded");
            }
            if (writer != null) {
                writer.flush();
            }
            stream.flush();
            channel.force(true);
            try {
                // renamed while the lock is held, so no other writer can take it for abandoned in between
                moveReplacing(tmp, target);
            } finally {
                channel.close();
                LIVE_TEMPS.remove(tmp);
            }
            done = true;
            syncDirectory(target.getParent());
        }

        /** Discards the temp file unless committed. */
        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                try {
                    channel.close();
                } finally {
                    Files.deleteIfExists(tmp);
                    LIVE_TEMPS.remove(tmp);
                }
            }
        }
    }

    /**
     * Builds the folder {@code target} atomically: {@code content} fills a fresh sibling temp folder; only when it
     * returns is that folder swapped in. A folder already at {@code target} is replaced — callers decide beforehand
     * whether it may be (see {@link OutputPaths}); it is deleted only after the new folder is in place.
     */
    public static void replaceFolder(Path target, FolderContent content) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw OutputPaths.missingParent(abs);
        }
        String name = abs.getFileName().toString();
        recoverFolder(abs);
        Path tmp = newFolder(parent, "." + name + ".partial-");
        try {
            content.writeTo(tmp);
            syncTree(tmp);
            if (Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Path old = newFolder(parent, "." + name + ".old-");
                Files.delete(old); // a unique name, free again for the previous folder to move to
                moveReplacing(abs, old);
                moveReplacing(tmp, abs);
                syncDirectory(parent);
                deleteRecursively(old);
            } else {
                moveReplacing(tmp, abs);
                syncDirectory(parent);
            }
        } finally {
            deleteRecursively(tmp);
        }
    }

    /**
     * Undoes what a crash inside {@link #replaceFolder} can leave: a previous folder moved aside with nothing at the
     * target is moved back; temp folders of that target are removed.
     */
    static void recoverFolder(Path abs) throws IOException {
        Path parent = abs.getParent();
        String name = abs.getFileName().toString();
        List<Path> old = new ArrayList<>();
        List<Path> partial = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, "." + name + ".*")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                String rest = n.substring(name.length() + 2);
                if (rest.startsWith("old-")) {
                    old.add(p);
                } else if (rest.startsWith("partial-")) {
                    partial.add(p);
                }
            }
        }
        for (Path p : partial) {
            deleteRecursively(p);
        }
        old.sort(Comparator.comparing(AtomicFiles::modified).reversed());
        if (!Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !old.isEmpty()) {
            moveReplacing(old.remove(0), abs);
        }
        for (Path p : old) {
            deleteRecursively(p);
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static Path unique(Path parent, String prefix, String suffix) {
        return parent.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong(), 36) + suffix);
    }

    /** A new empty folder with the usual permissions (createTempDirectory would make it owner-only). */
    public static Path newFolder(Path parent, String prefix) throws IOException {
        while (true) {
            try {
                return Files.createDirectory(unique(parent, prefix, ""));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // draw again
            }
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    private static void moveReplacing(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void syncTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (Files.isRegularFile(p)) {
                    try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        c.force(true);
                    }
                }
            }
        }
        syncDirectory(dir);
    }

    /** fsync of a folder makes a rename in it durable; not every platform allows it, so failures are ignored. */
    private static void syncDirectory(Path dir) {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        } catch (IOException | RuntimeException ignored) {
            // e.g. Windows cannot open a folder as a channel; the rename itself is still atomic
        }
    }

    /** Deletes a file or folder tree if present. */
    public static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}

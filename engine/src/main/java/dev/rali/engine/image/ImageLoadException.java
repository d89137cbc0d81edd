package dev.rali.engine.image;

import java.io.IOException;
import java.nio.file.Path;

/** An image that cannot be read; the message names the file and the reason. */
public class ImageLoadException extends IOException {
    private final Path file;

    public ImageLoadException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
    }

    public ImageLoadException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
    }

    /** The file that failed. */
    /** {@code message} prefixed with "FILE: " unless it already names the file (loader messages do). */
    public static String naming(Path file, String message) {
        return message != null && message.contains(file.toString()) ? message : file + ": " + message;
    }

    public Path file() {
        return file;
    }
}

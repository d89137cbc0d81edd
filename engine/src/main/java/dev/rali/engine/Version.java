package dev.rali.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version, recorded with every run so results can be traced to the code that made them. */
public final class Version {
    public static final String CODE = load();

    private Version() { }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/dev/rali/engine/version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}

package org.longform.hub;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where Longform keeps per-user state: settings (recent models) and data (downloaded models).
 * Follows each OS's convention; {@code -Dlongform.config=DIR} / {@code -Dlongform.data=DIR}
 * override them (tests, portable installs).
 */
public record AppDirs(Path config, Path data) {
    public static AppDirs detect() {
        String home = System.getProperty("user.home");
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        Path config, data;
        if (os.startsWith("windows")) {
            config = Path.of(env("APPDATA", home + "\\AppData\\Roaming"), "Longform");
            data = Path.of(env("LOCALAPPDATA", home + "\\AppData\\Local"), "Longform");
        } else if (os.startsWith("mac")) {
            config = data = Path.of(home, "Library", "Application Support", "Longform");
        } else {
            config = Path.of(env("XDG_CONFIG_HOME", home + "/.config"), "longform");
            data = Path.of(env("XDG_DATA_HOME", home + "/.local/share"), "longform");
        }
        String c = System.getProperty("longform.config"), d = System.getProperty("longform.data");
        return new AppDirs(c != null ? Path.of(c) : config, d != null ? Path.of(d) : data);
    }

    /** Default folder for a downloaded repository: DATA/models/OWNER/NAME. */
    public Path modelDir(String repo) {
        String[] p = HubClient.checkRepo(repo).split("/");
        return data.resolve("models").resolve(p[0]).resolve(p[1]);
    }

    public Path recentModelsFile() {
        return config.resolve("recent-models.json");
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}

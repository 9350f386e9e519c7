package dev.sluice.workspace;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.sluice.encoding.Json;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A workspace: a folder with {@code sluice.json} (or {@code sluice.yaml}) naming its tiers, where snapshots
 * and journals go. Pure configuration: it opens no connection.
 */
public final class Workspace {
    public static final String JSON_FILE = "sluice.json";
    public static final String YAML_FILE = "sluice.yaml";
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    /** The file as written. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record File(@JsonProperty("tiers") Map<String, TierSpec> tiers,
                       @JsonProperty("snapshots") String snapshots,
                       @JsonProperty("journal") String journal) {
        public File {
            tiers = tiers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
        }
    }

    private final Path dir;
    private final Path configFile;
    private final Map<String, TierConfig> tiers;
    private final Path snapshotsDir;
    private final Path journalDir;
    private final Path stateDir;

    private Workspace(Path dir, Path configFile, Map<String, TierConfig> tiers, Path snapshotsDir, Path journalDir, Path stateDir) {
        this.dir = dir;
        this.configFile = configFile;
        this.tiers = tiers;
        this.snapshotsDir = snapshotsDir;
        this.journalDir = journalDir;
        this.stateDir = stateDir;
    }

    /** Loads the workspace in {@code dir}, reading the process environment for {@code ${VAR}}. */
    public static Workspace load(Path dir) {
        return load(dir, System::getenv);
    }

    public static Workspace load(Path dir, Function<String, String> env) {
        Path abs = dir.toAbsolutePath().normalize();
        Path json = abs.resolve(JSON_FILE);
        Path yaml = abs.resolve(YAML_FILE);
        if (Files.isRegularFile(json) && Files.isRegularFile(yaml)) {
            throw new SluiceException(ErrorCode.WORKSPACE, "Workspace " + abs + " has both " + JSON_FILE + " and " + YAML_FILE
                    + "; Sluice would have to ignore one. Keep one of them and delete or rename the other.");
        }
        Path file = Files.isRegularFile(json) ? json : Files.isRegularFile(yaml) ? yaml : null;
        if (file == null) {
            throw new SluiceException(ErrorCode.WORKSPACE, "No workspace at " + abs + ": neither " + JSON_FILE
                    + " nor " + YAML_FILE + " is there. Create one with 'sluice init -w " + dir
                    + " --tier NAME=PATH' or 'sluice demo " + dir + "'.");
        }
        File parsed;
        try {
            // A misspelt key in a file a person wrote is refused, not ignored.
            ObjectReader reader = (file == yaml ? Json.yaml().reader() : Json.reader()).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
            parsed = reader.forType(File.class).readValue(file.toFile());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
            throw new SluiceException(ErrorCode.WORKSPACE, file + where + ": " + e.getOriginalMessage().lines().findFirst().orElse("unreadable")
                    + ". Fix the file (see README, 'Workspace').", e);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.WORKSPACE, "Cannot read " + file + ": " + e.getMessage() + ".", e);
        }
        if (parsed == null || parsed.tiers().isEmpty()) {
            throw new SluiceException(ErrorCode.WORKSPACE, file + ": no tiers. Add at least one under \"tiers\", e.g. {\"tiers\": {\"tier1\": \"data/tier1.db\"}}.");
        }
        Map<String, TierConfig> tiers = new LinkedHashMap<>();
        for (var e : parsed.tiers().entrySet()) {
            tiers.put(e.getKey(), resolve(abs, file, e.getKey(), e.getValue(), env));
        }
        Path snaps = abs.resolve(parsed.snapshots() == null ? "snapshots" : interpolate(parsed.snapshots(), env, file, "snapshots")).normalize();
        Path journal = abs.resolve(parsed.journal() == null ? "sessions" : interpolate(parsed.journal(), env, file, "journal")).normalize();
        return new Workspace(abs, file, Collections.unmodifiableMap(tiers), snaps, journal, abs.resolve(".sluice"));
    }

    /** Writes a new sluice.json; refuses to overwrite an existing workspace. */
    public static Path write(Path dir, File file) {
        Path abs = dir.toAbsolutePath().normalize();
        Path target = abs.resolve(JSON_FILE);
        if (Files.exists(target) || Files.exists(abs.resolve(YAML_FILE))) {
            throw new SluiceException(ErrorCode.WORKSPACE, "A workspace already exists at " + abs
                    + ". Edit its " + JSON_FILE + " or choose another folder.");
        }
        try {
            Files.createDirectories(abs);
            Map<String, Object> tiers = new LinkedHashMap<>();
            file.tiers().forEach((k, v) -> tiers.put(k, simple(v) ? v.url() : v));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tiers", tiers);
            out.put("snapshots", file.snapshots() == null ? "snapshots" : file.snapshots());
            out.put("journal", file.journal() == null ? "sessions" : file.journal());
            Files.writeString(target, Json.pretty().writeValueAsString(out) + "\n");
            return target;
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot write " + target + ": " + e.getMessage() + ".", e);
        }
    }

    private static boolean simple(TierSpec s) {
        return s.user() == null && s.password() == null && s.pragmas().isEmpty() && !s.readOnly() && !s.optional() && !s.create();
    }

    private static TierConfig resolve(Path dir, Path file, String name, TierSpec spec, Function<String, String> env) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new SluiceException(ErrorCode.WORKSPACE, file + ": tier name '" + name
                    + "' is not a Java identifier. Use letters, digits and '_' (e.g. task_queue), so the console can bind it.");
        }
        if (spec.url() == null || spec.url().isBlank()) {
            throw new SluiceException(ErrorCode.WORKSPACE, file + ": tier '" + name + "' has no path or url. Give a SQLite path or a JDBC URL.");
        }
        String raw = interpolate(spec.url(), env, file, name);
        String user = spec.user() == null ? null : interpolate(spec.user(), env, file, name);
        Secret password = spec.password() == null ? null : new Secret(interpolate(spec.password(), env, file, name));
        Map<String, String> pragmas = new LinkedHashMap<>();
        spec.pragmas().forEach((k, v) -> pragmas.put(k, interpolate(v, env, file, name)));
        String url;
        Path sqliteFile = null;
        if (raw.startsWith("jdbc:sqlite:")) {
            String rest = raw.substring("jdbc:sqlite:".length());
            int q = rest.indexOf('?');
            String pathPart = q < 0 ? rest : rest.substring(0, q);
            String query = q < 0 ? "" : rest.substring(q);
            if (pathPart.startsWith("file:")) {
                pathPart = pathPart.substring(5);
            }
            sqliteFile = dir.resolve(pathPart).normalize();
            url = "jdbc:sqlite:" + sqliteFile + query;
        } else if (raw.startsWith("jdbc:")) {
            url = raw;
        } else {
            sqliteFile = dir.resolve(raw).normalize();
            url = "jdbc:sqlite:" + sqliteFile;
        }
        return new TierConfig(name, url, user, password, Collections.unmodifiableMap(pragmas), spec.readOnly(), spec.optional(), spec.create(), sqliteFile);
    }

    static String interpolate(String value, Function<String, String> env, Path file, String where) {
        Matcher m = VAR.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = env.apply(m.group(1));
            if (v == null) {
                v = m.group(2);
            }
            if (v == null) {
                throw new SluiceException(ErrorCode.WORKSPACE, file + ": '" + where + "' uses ${" + m.group(1)
                        + "} but that environment variable is not set. Export it, or write ${" + m.group(1) + ":-default}.");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    public Path dir() {
        return dir;
    }

    public Path configFile() {
        return configFile;
    }

    public Map<String, TierConfig> tiers() {
        return tiers;
    }

    public TierConfig tier(String name) {
        TierConfig t = tiers.get(name);
        if (t == null) {
            throw new SluiceException(ErrorCode.WORKSPACE, "No tier '" + name + "' in " + configFile
                    + ". Known tiers: " + String.join(", ", tiers.keySet()) + ".");
        }
        return t;
    }

    public Path snapshotsDir() {
        return snapshotsDir;
    }

    public Path journalDir() {
        return journalDir;
    }

    /**
     * Where runs keep their own recovery state for these tiers ({@code .sluice/}: multi-tier commit intents and their
     * pre-step snapshots, atomic-step scratch files). A sandbox has its own, so nothing a rehearsal leaves behind can be
     * taken for the live tiers' state.
     */
    public Path stateDir() {
        return stateDir;
    }

    /**
     * This workspace moved to another folder, with its snapshots and run state there too (same tiers, configuration
     * file and journal): how a sandbox keeps what its runs write (files beside the workspace, snapshots, intents) in
     * its own folder, away from the live workspace's.
     */
    public Workspace relocated(Path folder, Path snapshots, Path state) {
        return new Workspace(folder.toAbsolutePath().normalize(), configFile, tiers, snapshots.toAbsolutePath().normalize(), journalDir,
                state.toAbsolutePath().normalize());
    }

    /**
     * This workspace with some SQLite tiers pointing at other files (same folder, snapshots and journal): how recovery
     * runs a step against the state some tiers had before it, kept in scratch copies, without touching those tiers.
     */
    public Workspace withTierFiles(Map<String, Path> files) {
        Map<String, TierConfig> out = new LinkedHashMap<>(tiers);
        files.forEach((name, file) -> {
            TierConfig c = tier(name);
            Path abs = file.toAbsolutePath().normalize();
            out.put(name, new TierConfig(name, "jdbc:sqlite:" + abs, c.user(), c.password(), c.pragmas(), false, false, false, abs));
        });
        return new Workspace(dir, configFile, Collections.unmodifiableMap(out), snapshotsDir, journalDir, stateDir);
    }

    /**
     * This workspace with some tiers pointing at other JDBC URLs (same user, password, folder, snapshots and journal):
     * how a sandbox points a PostgreSQL tier at its scratch database. The tier is writable there, whatever the live one is.
     */
    public Workspace withTierUrls(Map<String, String> urls) {
        Map<String, TierConfig> out = new LinkedHashMap<>(tiers);
        urls.forEach((name, url) -> {
            TierConfig c = tier(name);
            out.put(name, new TierConfig(name, url, c.user(), c.password(), c.pragmas(), false, false, false, null));
        });
        return new Workspace(dir, configFile, Collections.unmodifiableMap(out), snapshotsDir, journalDir, stateDir);
    }

    /** Every configured secret, for redaction. */
    public List<Secret> secrets() {
        List<Secret> out = new ArrayList<>();
        tiers.values().forEach(t -> {
            if (t.password() != null) {
                out.add(t.password());
            }
        });
        return out;
    }

    @Override
    public String toString() {
        return "Workspace[" + dir + ", tiers=" + tiers.keySet() + "]";
    }
}

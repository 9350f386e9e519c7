package dev.sluice.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A journal read back and checked: every line parses, {@code seq} counts up from 0, each {@code prev} is the SHA-256 of
 * the line before, the first line is a header and the last an end event. What fails is named by line.
 */
public final class JournalFile {
    private final Path path;
    private final ObjectNode header;
    private final List<ObjectNode> events;
    private final String problem;

    private JournalFile(Path path, ObjectNode header, List<ObjectNode> events, String problem) {
        this.path = path;
        this.header = header;
        this.events = events;
        this.problem = problem;
    }

    /** Reads and verifies; a broken chain or a cut-short journal is refused unless {@code force}. */
    public static JournalFile read(Path path, boolean force) {
        if (!Files.isRegularFile(path)) {
            throw new SluiceException(ErrorCode.JOURNAL, "No journal at " + path + ". Journals are in the workspace's sessions/ folder.");
        }
        List<String> lines;
        byte[] raw;
        try {
            raw = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot read journal " + path + ": " + e.getMessage() + ".", e);
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        lines = new ArrayList<>(List.of(text.split("\n", -1)));
        boolean endsWithNewline = text.endsWith("\n");
        if (endsWithNewline) {
            lines.remove(lines.size() - 1);
        }
        List<ObjectNode> events = new ArrayList<>();
        String problem = null;
        String prev = null;
        for (int i = 0; i < lines.size() && problem == null; i++) {
            String line = lines.get(i);
            int lineNo = i + 1;
            JsonNode n;
            try {
                n = Journal.MAPPER.readTree(line);
            } catch (IOException e) {
                n = null;
            }
            if (!(n instanceof ObjectNode o)) {
                problem = (i == lines.size() - 1 && !endsWithNewline ? "line " + lineNo + " is cut short (the session was interrupted or the file truncated)"
                        : "line " + lineNo + " is not a journal event");
                break;
            }
            if (o.path("seq").asLong(-1) != i) {
                problem = "line " + lineNo + " has seq " + o.path("seq").asText("?") + ", expected " + i + " (events removed or reordered)";
                break;
            }
            String p = o.has("prev") ? o.get("prev").asText() : null;
            if (i == 0 ? p != null : !java.util.Objects.equals(p, prev)) {
                problem = "line " + (lineNo - 1) + " was edited, or line " + lineNo + " was (line " + lineNo + " does not chain to the line "
                        + "before: prev " + abbreviate(p) + ", the line before hashes to " + abbreviate(prev) + ")";
                break;
            }
            if ("end".equals(o.path("type").asText()) && (o.has(Journal.SEAL) || (!events.isEmpty() && events.get(0).path(Journal.SEAL).asBoolean()))
                    && !sealed(line, o.path(Journal.SEAL).asText(""))) {
                problem = "line " + lineNo + " (the end event) was edited (its seal is missing or does not match its content)";
                break;
            }
            if (i == 0 && !"header".equals(o.path("type").asText())) {
                problem = "line 1 is not a header";
                break;
            }
            prev = Journal.sha256(line.getBytes(StandardCharsets.UTF_8));
            events.add(o);
        }
        if (problem == null && (events.isEmpty() || !"end".equals(events.get(events.size() - 1).path("type").asText()))) {
            problem = events.isEmpty() ? "the journal is empty" : "the journal ends at seq " + (events.size() - 1)
                    + " without an end event (the session was cut short or the file truncated)";
        }
        if (problem != null && !force) {
            throw new SluiceException(ErrorCode.JOURNAL, "Journal " + path + ": " + problem
                    + ". Refusing to replay it; use --force to replay the events before that point.");
        }
        if (events.isEmpty()) {
            throw new SluiceException(ErrorCode.JOURNAL, "Journal " + path + " has no readable header. Nothing to replay.");
        }
        int formatVersion = events.get(0).path("format").asInt(-1);
        if (formatVersion != Journal.FORMAT) {
            throw new SluiceException(ErrorCode.JOURNAL, "Journal " + path + " has format " + formatVersion + "; this Sluice reads format "
                    + Journal.FORMAT + ". Use the Sluice version named in its header (" + events.get(0).path("sluice").asText() + ").");
        }
        return new JournalFile(path, events.get(0), events.subList(1, events.size()), problem);
    }

    /** True when {@code line} minus its trailing seal field hashes to {@code seal} (journals before seals have none). */
    private static boolean sealed(String line, String seal) {
        String tail = ",\"" + Journal.SEAL + "\":\"" + seal + "\"}";
        return line.endsWith(tail)
                && Journal.sha256((line.substring(0, line.length() - tail.length()) + "}").getBytes(StandardCharsets.UTF_8)).equals(seal);
    }

    private static String abbreviate(String h) {
        return h == null ? "none" : h.substring(0, Math.min(12, h.length())) + "…";
    }

    public Path path() {
        return path;
    }

    public ObjectNode header() {
        return header;
    }

    /** Events after the header, in order. */
    public List<ObjectNode> events() {
        return events;
    }

    /** What was wrong when read with force, or null for a sound journal. */
    public String problem() {
        return problem;
    }
}

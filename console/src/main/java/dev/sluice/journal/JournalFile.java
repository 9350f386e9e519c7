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
 * the line before, the first line is a header and the last an end event. What fails is named by line. Lines whose LF
 * an editor turned into CRLF are read as written: the chain, not the line ending, says whether they are intact.
 */
public final class JournalFile {
    private final Path path;
    private final ObjectNode header;
    private final List<ObjectNode> events;
    private final String problem;
    private final int doubtLine;
    private final ObjectNode doubted;

    private JournalFile(Path path, ObjectNode header, List<ObjectNode> events, String problem, int doubtLine, ObjectNode doubted) {
        this.path = path;
        this.header = header;
        this.events = events;
        this.problem = problem;
        this.doubtLine = doubtLine;
        this.doubted = doubted;
    }

    /**
     * Reads and verifies; a broken chain or a cut-short journal is refused unless {@code force}, which keeps only the
     * events the chain vouches for: those before {@link #doubtFrom()}.
     */
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
        // An editor or git may have turned LF into CRLF. Sluice writes no raw CR (JSON escapes it inside strings), so a
        // trailing CR is the conversion: the line is hashed as it was written, and the chain decides whether it is intact.
        lines.replaceAll(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        List<ObjectNode> events = new ArrayList<>();
        String problem = null;
        // The first line no later line vouches for: each line is confirmed by the prev of the line after it (the end
        // event by its own seal), so where line N is bad, line N-1 is unconfirmed too.
        int doubtLine = -1;
        ObjectNode editedEnd = null;
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
                doubtLine = lineNo - 1;
                break;
            }
            if (o.path("seq").asLong(-1) != i) {
                problem = "line " + lineNo + " has seq " + o.path("seq").asText("?") + ", expected " + i + " (events removed or reordered)";
                doubtLine = lineNo - 1;
                break;
            }
            String p = o.has("prev") ? o.get("prev").asText() : null;
            if (i == 0 ? p != null : !java.util.Objects.equals(p, prev)) {
                problem = "line " + (lineNo - 1) + " was edited, or line " + lineNo + " was (line " + lineNo + " does not chain to the line "
                        + "before: prev " + abbreviate(p) + ", the line before hashes to " + abbreviate(prev) + ")";
                doubtLine = lineNo - 1;
                break;
            }
            if ("end".equals(o.path("type").asText()) && (o.has(Journal.SEAL) || (!events.isEmpty() && events.get(0).path(Journal.SEAL).asBoolean()))
                    && !sealed(line, o.path(Journal.SEAL).asText(""))) {
                problem = "line " + lineNo + " (the end event) was edited (its seal is missing or does not match its content)";
                doubtLine = lineNo; // its prev matched: the lines before it are vouched for
                editedEnd = o;
                break;
            }
            if (i == 0 && !"header".equals(o.path("type").asText())) {
                problem = "line 1 is not a header";
                doubtLine = 1;
                break;
            }
            prev = Journal.sha256(line.getBytes(StandardCharsets.UTF_8));
            events.add(o);
        }
        if (problem == null && (events.isEmpty() || !"end".equals(events.get(events.size() - 1).path("type").asText()))) {
            problem = events.isEmpty() ? "the journal is empty" : "the journal ends at seq " + (events.size() - 1)
                    + " without an end event (the session was cut short or the file truncated)";
            doubtLine = events.size(); // the last line: nothing after it vouches for it
        }
        if (problem != null && !force) {
            throw new SluiceException(ErrorCode.JOURNAL, "Journal " + path + ": " + problem + ". Refusing to replay it; --force replays only "
                    + (doubtLine <= 1 ? "nothing of it (the header itself is in doubt)" : "what comes before line " + doubtLine
                    + ", the first the hash chain does not vouch for") + ".");
        }
        if (events.isEmpty()) {
            throw new SluiceException(ErrorCode.JOURNAL, "Journal " + path + " has no readable header. Nothing to replay.");
        }
        int formatVersion = events.get(0).path("format").asInt(-1);
        if (formatVersion < 1 || formatVersion > Journal.FORMAT) {
            throw new SluiceException(ErrorCode.JOURNAL, "Journal " + path + " has format " + formatVersion + "; this Sluice reads formats 1 to "
                    + Journal.FORMAT + ". Use the Sluice version named in its header (" + events.get(0).path("sluice").asText() + ").");
        }
        ObjectNode doubted = null;
        if (problem != null) {
            // Keep the header whatever happens (it says what the journal is); drop the doubted line and all after it.
            int keep = Math.max(1, doubtLine - 1);
            doubted = doubtLine >= 1 && doubtLine <= events.size() ? events.get(doubtLine - 1) : editedEnd;
            events = new ArrayList<>(events.subList(0, Math.min(keep, events.size())));
        }
        List<ObjectNode> after = events.subList(1, events.size());
        return new JournalFile(path, withCounts(events.get(0), after), after, problem, problem == null ? -1 : doubtLine, doubted);
    }

    /** What a header fingerprint reads when its row counts were not recorded: why, in a few words. */
    static final String COUNTS_NOT_RECORDED = "countsNotRecorded";

    /**
     * The header as readers use it: a fingerprint whose counts were taken later ({@link Journal#COUNTS_LATER}) gets them
     * from the journal's {@code counts} event (as of the header's moment); one without them gets
     * {@link #COUNTS_NOT_RECORDED} and no {@code counts}, so that replay and export compare its schema only.
     */
    private static ObjectNode withCounts(ObjectNode header, List<ObjectNode> events) {
        boolean later = false;
        for (JsonNode f : header.path("fingerprint")) {
            later |= f.path(Journal.COUNTS_LATER).asBoolean();
        }
        if (!later) {
            return header;
        }
        ObjectNode countsEvent = events.stream().filter(e -> "counts".equals(e.path("type").asText())).findFirst().orElse(null);
        ObjectNode h = header.deepCopy();
        for (JsonNode n : h.path("fingerprint")) {
            ObjectNode f = (ObjectNode) n;
            if (!f.path(Journal.COUNTS_LATER).asBoolean()) {
                continue;
            }
            f.remove(Journal.COUNTS_LATER);
            String tier = f.path("tier").asText();
            JsonNode c = countsEvent == null ? null : countsEvent.path("tiers").get(tier);
            if (c != null && c.isObject()) {
                f.set("counts", c);
            } else {
                f.remove("counts");
                f.put(COUNTS_NOT_RECORDED, countsEvent == null ? "the session stopped before its row counts were written"
                        : countsEvent.path("notCounted").path(tier).asText("they are missing from its counts event"));
            }
        }
        return h;
    }

    /** One line per tier of the header whose row counts were not recorded, saying so and why; empty when all were. */
    public List<String> countsNotRecorded() {
        List<String> out = new ArrayList<>();
        for (JsonNode f : header.path("fingerprint")) {
            if (f.has(COUNTS_NOT_RECORDED)) {
                out.add(f.path("tier").asText() + ": row counts were not recorded (" + f.path(COUNTS_NOT_RECORDED).asText()
                        + "); only its schema is compared");
            }
        }
        return out;
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

    /**
     * The first line (1-based) the hash chain does not vouch for, when read with force: {@link #events()} stop before
     * it, so nothing at or after it is replayed or exported. -1 for a sound journal.
     */
    public int doubtFrom() {
        return doubtLine;
    }

    /** The event on the {@link #doubtFrom()} line as it reads (not to be trusted, only to see where a block ends), or null. */
    ObjectNode doubted() {
        return doubted;
    }

    /** Why a forced replay (or export) ends where it does: the first line in doubt and what is wrong. */
    String stopReason() {
        return "nothing from line " + doubtLine + " on was run, because the journal's hash chain does not vouch for it: " + problem + ".";
    }

    /** The journal's format version (1: before query and value observations). */
    int format() {
        return header.path("format").asInt();
    }
}

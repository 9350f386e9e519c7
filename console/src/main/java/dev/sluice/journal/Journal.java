package dev.sluice.journal;

import dev.sluice.encoding.Json;
import dev.sluice.encoding.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Fingerprint;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Redactor;
import dev.sluice.workspace.Secret;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Writes one session's journal: {@code <journal dir>/<time>-<user>.jsonl}, one JSON object per line, each event with
 * {@code seq}, {@code time}, {@code type}, {@code prev} (SHA-256 of the previous line) and its own fields. Every string is
 * redacted before it is written; each line is flushed as it is written, so a crash loses at most the line being written.
 */
public final class Journal implements AutoCloseable, TierInternals.Listener {
    /** 2: the console's shown values are observations ({@code query}, {@code value}); 1 is still read and replayed. */
    public static final int FORMAT = 2;
    private static final DateTimeFormatter FILE_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
    /** One line per event: the one JSON configuration is compact and writes a Duration as ISO text (PT1.5S). */
    static final ObjectMapper MAPPER = Json.mapper();

    private final Path file;
    private final OutputStream out;
    private final List<Secret> secrets;
    private final Deque<ObjectNode> recent = new ArrayDeque<>();
    /** The latest results observed since the last input: a shown value one of them holds is not recorded again. */
    private final Deque<JsonNode> observedSinceInput = new ArrayDeque<>();
    private long seq;
    private String prev;
    private boolean recording = true;
    private boolean closed;
    /** The first write that failed (disk full…): every later write throws it again. */
    private SluiceException failed;

    private Journal(Path file, OutputStream out, List<Secret> secrets) {
        this.file = file;
        this.out = out;
        this.secrets = List.copyOf(secrets);
    }

    /** Starts a journal in {@code dir} and writes its header. */
    public static Journal start(Path dir, String kind, String sluiceVersion, Path workspace, List<Fingerprint> fingerprint,
                                List<Secret> secrets) {
        return start(dir, kind, sluiceVersion, workspace, fingerprint, secrets, false);
    }

    /** As {@link #start(Path, String, String, Path, List, List)}; {@code sandbox}: the session works on sandbox copies, and the header says so. */
    public static Journal start(Path dir, String kind, String sluiceVersion, Path workspace, List<Fingerprint> fingerprint,
                                List<Secret> secrets, boolean sandbox) {
        String user = System.getProperty("user.name", "unknown");
        Instant now = Instant.now();
        Path file = dir.resolve(FILE_STAMP.format(now) + "-" + user.replaceAll("[^A-Za-z0-9_.-]", "_") + ".jsonl");
        try {
            dev.sluice.workspace.PrivateFiles.createDirectories(dir); // what was typed and seen: the owner's only
            // A FileOutputStream, not a channel: an interrupt (Ctrl-C stopping a run) must not close the journal under its end event.
            dev.sluice.workspace.PrivateFiles.createFile(file);
            OutputStream os = new java.io.FileOutputStream(file.toFile(), true);
            Journal j = new Journal(file, os, secrets);
            ObjectNode h = MAPPER.createObjectNode();
            h.put("format", FORMAT);
            h.put(SEAL, true); // this journal's end event carries a seal: a reader must find it
            h.put("kind", kind);
            h.put("sluice", sluiceVersion);
            h.put("workspace", workspace.toString());
            if (sandbox) {
                h.put("sandbox", true); // its tiers were throwaway copies: nothing it did reached the live tiers
            }
            h.put("user", user);
            h.put("host", host());
            h.put("start", now.toString());
            h.put("zone", java.time.ZoneId.systemDefault().getId()); // a report shows times as the operator's clock read them
            h.put("jdk", Runtime.version().toString());
            ArrayNode fps = MAPPER.valueToTree(fingerprint);
            for (JsonNode f : fps) {
                if (f.path("counts").isNull()) {
                    // Counted on a pinned read of this same moment, written later as a "counts" event (see counts()).
                    ((ObjectNode) f).remove("counts");
                    ((ObjectNode) f).put(COUNTS_LATER, true);
                }
            }
            h.set("fingerprint", fps);
            try {
                j.write("header", h);
            } catch (SluiceException e) {
                Files.deleteIfExists(file); // a journal without its header is no journal: leave nothing behind
                throw new SluiceException(ErrorCode.JOURNAL, "Cannot start a journal in " + dir + " (" + e.getCause().getMessage()
                        + "). Free disk space, or run with --no-journal.", e.getCause());
            }
            return j;
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.JOURNAL, "Cannot start a journal in " + dir + ": " + e.getMessage()
                    + ". Check the folder's permissions and free space, or run with --no-journal.", e);
        }
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    public Path file() {
        return file;
    }

    public boolean recording() {
        return recording;
    }

    /** {@code /record off|on}: the switch itself is journaled, so a gap is visible. */
    public synchronized void setRecording(boolean on) {
        if (on == recording) {
            return;
        }
        if (on) {
            recording = true;
            event("record").put("on", true);
            flushPending();
        } else {
            event("record").put("on", false);
            flushPending();
            recording = false;
        }
    }

    // ---------------------------------------------------------------- events

    private ObjectNode pending;
    private String pendingType;

    private ObjectNode event(String type) {
        flushPending();
        pending = MAPPER.createObjectNode();
        pendingType = type;
        return pending;
    }

    private void flushPending() {
        if (pending != null) {
            ObjectNode p = pending;
            String t = pendingType;
            pending = null;
            write(t, p);
        }
    }

    /** An input: {@code java} snippet, {@code groovy} snippet, or {@code command} ({@code /run x}). */
    public synchronized void input(String kind, String text) {
        if (!recording) {
            return;
        }
        observedSinceInput.clear();
        ObjectNode e = event("input");
        e.put("kind", kind);
        e.put("text", redact(text));
        flushPending();
    }

    public synchronized void output(String summary) {
        if (!recording) {
            return;
        }
        ObjectNode e = event("output");
        String s = redact(summary);
        e.put("summary", s.length() > 2000 ? s.substring(0, 2000) + "…" : s);
        flushPending();
    }

    /** A DSL call that returned a fact. */
    public synchronized void observation(String tier, String call, List<Object> args, Object result) {
        if (!recording) {
            return;
        }
        ObjectNode e = event("observation");
        e.put("tier", tier);
        e.put("call", call);
        e.set("args", redactTree(MAPPER.valueToTree(args)));
        e.set("result", Observations.normalise(result));
        observedSinceInput.addLast(e.get("result"));
        if (observedSinceInput.size() > Observations.RECENT_RESULTS) {
            observedSinceInput.removeFirst();
        }
        flushPending();
    }

    /**
     * What the console showed for the current input, as an observation when it is data ({@link Observations#shown}):
     * a query's rows, an exec's count, a {@code .value()}; {@code marked}: the input called {@code varies(…)}.
     */
    public synchronized void shown(Object value, boolean marked) {
        if (!recording) {
            return;
        }
        ObjectNode o = Observations.shown(value, marked, observedSinceInput);
        if (o == null) {
            return;
        }
        ObjectNode e = event("observation");
        e.setAll(Observations.redacted(o, secrets));
        flushPending();
    }

    /** An expectation's outcome (inside a step or at the console). */
    public synchronized void expectation(String name, boolean ok, String detail) {
        expectation(name, ok, detail, -1);
    }

    /**
     * An expectation's outcome; {@code from} is the seq the journal was at when the check began ({@link #nextSeq()}), so
     * the observations between it and this event are the values the check compared (-1: not known).
     */
    synchronized void expectation(String name, boolean ok, String detail, long from) {
        if (!recording) {
            return;
        }
        ObjectNode e = event("observation");
        e.put("call", "expect");
        e.set("args", MAPPER.createArrayNode().add(redact(name)));
        e.put("result", ok);
        if (detail != null) {
            e.put("detail", redact(detail));
        }
        if (from >= 0 && from < seq) {
            e.put("from", from);
        }
        flushPending();
    }

    /** The seq the next event will carry. */
    synchronized long nextSeq() {
        flushPending();
        return seq;
    }

    /**
     * A replay's own record: {@code start} names the journal replayed (path, kind, who recorded it, when) and how the
     * workspace differed from its recording; {@code result} says how the replay ended, with the divergence recorded vs now.
     */
    public synchronized void replay(String phase, JsonNode details) {
        if (!recording) {
            return;
        }
        ObjectNode e = event("replay");
        e.put("phase", phase);
        if (details != null) {
            e.set("details", redactTree(details));
        }
        flushPending();
    }

    public synchronized void step(String phase, String playbook, String step, JsonNode details) {
        if (!recording) {
            return;
        }
        ObjectNode e = event("step");
        e.put("phase", phase);
        e.put("playbook", playbook);
        e.put("step", step);
        if (details != null) {
            e.set("details", redactTree(details));
        }
        flushPending();
    }

    /** commit, rollback, skip or quit, for a step (or a console transaction when {@code step} is null). */
    public synchronized void decision(String decision, String playbook, String step) {
        if (!recording) {
            return;
        }
        ObjectNode e = event("decision");
        e.put("decision", decision);
        if (playbook != null) {
            e.put("playbook", playbook);
        }
        if (step != null) {
            e.put("step", step);
        }
        flushPending();
    }

    public synchronized void error(String kind, String message) {
        if (!recording) {
            return;
        }
        ObjectNode e = event("error");
        e.put("kind", kind);
        e.put("message", redact(message));
        flushPending();
    }

    /** Writes the end event and closes the file. */
    public synchronized void end(int status) {
        end(status, null);
    }

    /** Writes the end event, with why the session ended early when it did ({@code cancelled: "SIGINT"}), and closes the file. */
    public synchronized void end(int status, String cancelled) {
        if (closed) {
            return;
        }
        boolean was = recording;
        recording = true;
        ObjectNode e = event("end");
        e.put("status", status);
        if (cancelled != null) {
            e.put("cancelled", cancelled);
        }
        flushPending();
        recording = was;
        close();
    }

    /** A header fingerprint's mark: its row counts follow in the journal's {@code counts} event. */
    static final String COUNTS_LATER = "countsLater";

    /**
     * The row counts the header's fingerprint left for later ({@link #COUNTS_LATER}), as of the header's moment (a pinned
     * read), whatever was recorded since: {@code tiers} by name, and {@code notCounted} with why for those not counted.
     * Written even while recording is off: it belongs to the header.
     */
    public synchronized void counts(java.util.Map<String, java.util.Map<String, Long>> counted, java.util.Map<String, String> notCounted) {
        boolean was = recording;
        recording = true;
        ObjectNode e = event("counts");
        e.set("tiers", MAPPER.valueToTree(counted));
        if (!notCounted.isEmpty()) {
            e.set("notCounted", MAPPER.valueToTree(notCounted));
        }
        e.put("asOf", "header");
        try {
            flushPending();
        } finally {
            recording = was;
        }
    }

    /** The last {@code n} events written, for {@code /journal}. */
    public synchronized List<ObjectNode> last(int n) {
        List<ObjectNode> all = new ArrayList<>(recent);
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    @Override
    public void observed(Tier tier, String call, List<Object> args, Object result) {
        observation(tier.name(), call, args, result);
    }

    // ---------------------------------------------------------------- writing

    private void write(String type, ObjectNode body) {
        if (failed != null) {
            throw failed; // every later event too: nothing may go on as if it were recorded
        }
        if (closed) {
            return;
        }
        ObjectNode line = MAPPER.createObjectNode();
        line.put("seq", seq);
        line.put("time", Instant.now().toString());
        line.put("type", type);
        if (prev != null) {
            line.put("prev", prev);
        }
        line.setAll(body);
        try {
            byte[] bytes = MAPPER.writeValueAsBytes(line);
            if ("end".equals(type)) {
                // Nothing follows the end event to chain to it: it carries the hash of itself without this field.
                line.put(SEAL, sha256(bytes));
                bytes = MAPPER.writeValueAsBytes(line);
            }
            out.write(bytes);
            out.write('\n');
            out.flush();
            prev = sha256(bytes);
            seq++;
            recent.addLast(line);
            if (recent.size() > 200) {
                recent.removeFirst();
            }
        } catch (IOException e) {
            failed = new SluiceException(ErrorCode.JOURNAL, "Cannot write to journal " + file + " (" + e.getMessage() + "), so Sluice "
                    + "stopped rather than go on unrecorded (steps committed before stay committed; a step in progress was rolled back). Free "
                    + "disk space and run again (--no-journal runs without a record).", e);
            closed = true;
            try {
                out.close();
            } catch (IOException ignored) {
                // the disk that refused the event may refuse the close too
            }
            throw failed;
        }
    }

    /** The end event's own hash (of its line without this field, which is written last). */
    static final String SEAL = "seal";

    static String sha256(byte[] bytes) {
        return Sha256.hex(bytes);
    }

    private String redact(String s) {
        return Redactor.redact(s, secrets);
    }

    private JsonNode redactTree(JsonNode n) {
        return redactTree(n, secrets);
    }

    /** Every string in {@code n} redacted (replay redacts what it observes today the same way, so both compare alike). */
    static JsonNode redactTree(JsonNode n, List<Secret> secrets) {
        if (n.isTextual()) {
            return MAPPER.getNodeFactory().textNode(Redactor.redact(n.asText(), secrets));
        }
        if (n.isArray()) {
            ArrayNode a = MAPPER.createArrayNode();
            n.forEach(x -> a.add(redactTree(x, secrets)));
            return a;
        }
        if (n.isObject()) {
            ObjectNode o = MAPPER.createObjectNode();
            n.fields().forEachRemaining(f -> o.set(f.getKey(), redactTree(f.getValue(), secrets)));
            return o;
        }
        return n;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        flushPending();
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            // closing: nothing more to write
        }
    }

    @Override
    public String toString() {
        return "Journal " + file + " (" + seq + " events" + (recording ? "" : ", recording off") + ")";
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}

package dev.sluice.playbook;

import dev.sluice.dsl.NonTransactional;
import dev.sluice.dsl.Session;
import dev.sluice.dsl.Sluice;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.history.Who;
import dev.sluice.schema.SchemaEdit;
import dev.sluice.schema.TierShape;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.Checksummer;
import dev.sluice.tier.RowWatch;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A playbook being run on an open workspace, one step at a time. {@link #next()} runs the next pending step with every
 * tier in an open transaction and returns what it did, leaving the transactions open; {@link #commit()},
 * {@link #rollback()} and {@link #skip()} end it. The console's {@code /run}, {@code /steps}, {@code /next},
 * {@code /commit}, {@code /rollback}, {@code /skip}, {@code /status} are thin wrappers over these methods, and
 * {@link StepRunner} drives a whole CLI run with them.
 *
 * <p>Starting refuses, before anything runs: a workspace lacking a required tier, unknown or missing parameters, an
 * applied step whose source changed, a crash record of a partly committed step, and tiers locked by another run.
 */
public final class PlaybookSession implements AutoCloseable {
    private final Session session;
    private final Playbook playbook;
    private final RunOptions options;
    private final Decider decider;
    private final RunListener listener;
    private final Who who = Who.current();
    private final String runId;
    private final Map<String, Object> params;
    private final PreconditionReport preconditions;
    private final List<Step> selection;
    /** The run locks this run holds on its tiers. */
    private final RunLockHold locks = new RunLockHold(who);
    private final Intents intents;
    private final List<StepResult> results = new ArrayList<>();
    private int cursor;
    private int alreadyApplied;
    private volatile StepContext open;
    /** True while a step body runs (its calls are refused differently from the console's while the step waits). */
    private volatile boolean inBody;
    private StepResult openResult;
    private Map<String, Long> openChanges = Map.of();
    private Map<String, Map<String, Long>> openBefore = Map.of();
    /** The open atomic step's shared connection, or null: ended (unrouted, detached) as soon as the step is decided. */
    private AtomicStep atomic;
    /** Whether the open atomic step is atomic only by default (not atomic: true): a refusal then re-runs it tier by tier. */
    private boolean implicitAtomic;
    /** How long a COMMIT waits for readers to leave before the step is given up (nothing committed). */
    private java.time.Duration commitWait = MultiTierCommit.defaultWait();
    private boolean closed;
    /** A stop request from any thread, and the protocol that keeps it from splitting a commit. */
    private final RunCancellation cancellation;
    /** The commit path of the open step. */
    private final StepCommit commits;

    private PlaybookSession(Session session, Playbook playbook, RunOptions options, Decider decider, RunListener listener) {
        this(session, playbook, options, decider, listener, null);
    }

    /**
     * What the run that finishes a partial step needs: the crash record it settles (its run id is this run's, so the rows it
     * writes count as that run's) and the tiers that are scratch copies from before the step (never committed).
     */
    record Finishing(Intents.Intent original, Set<String> scratch) {
    }

    /** {@code finishing}: null, or the partial step this run finishes; such a run leaves the other crash records alone. */
    private PlaybookSession(Session session, Playbook playbook, RunOptions options, Decider decider, RunListener listener, Finishing finishing) {
        this.runId = finishing != null ? finishing.original().runId() : Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        this.session = session;
        this.playbook = playbook;
        this.options = options;
        this.decider = decider;
        this.listener = listener == null ? new RunListener() { } : listener;
        this.intents = new Intents(session.workspace().stateDir());
        this.cancellation = new RunCancellation(session);
        this.commits = new StepCommit(session, playbook, options, who, runId, finishing, intents, this.listener, cancellation);
        RunPreparation.Prepared p = RunPreparation.prepare(session, playbook, options);
        this.params = p.params();
        this.selection = p.selection();
        this.preconditions = p.report();
        if (!preconditions.holds()) {
            // Before any lock, intent clean-up, history table or helper table: a refused run leaves every tier as it was.
            throw new SluiceException(ErrorCode.PRECONDITION, preconditions.failureMessage(options.dryRun()));
        }
        if (finishing == null && PartialSteps.settle(session, playbook, options, decider, this.listener)) {
            RunPreparation.bind(session, playbook, params); // the finishing run bound the playbook to its own tiers
        }
        List<StepStatus> statuses = steps();
        for (StepStatus s : statuses) {
            if (s.state() == StepState.CHANGED && selection.contains(s.step())) {
                throw changed(s);
            }
        }
        lock();
        this.listener.runStarted(playbook, statuses, options);
        this.listener.preconditions(preconditions);
    }

    /**
     * The report a run would check before starting, without starting it (no lock, nothing written): what {@code --list}
     * shows. Throws only for usage errors (an unknown parameter or step name).
     */
    public static PreconditionReport preconditions(Session session, Playbook playbook, RunOptions options) {
        return RunPreparation.prepare(session, playbook, options).report();
    }

    /** The report this run checked when it started (it held, or the run would not have started). */
    public PreconditionReport preconditions() {
        return preconditions;
    }

    /** Opens a run of {@code playbook} on {@code session}; see the class comment for what it refuses. */
    public static PlaybookSession start(Session session, Playbook playbook, RunOptions options, Decider decider, RunListener listener) {
        return new PlaybookSession(session, playbook, options, decider, listener);
    }

    /** The run that finishes a partial step on a session whose reached tiers are scratch copies from before it. */
    static PlaybookSession finishing(Session session, Playbook playbook, RunOptions options, RunListener listener, Finishing finishing) {
        return new PlaybookSession(session, playbook, options, null, listener, finishing);
    }

    public Playbook playbook() {
        return playbook;
    }

    public Session session() {
        return session;
    }

    public RunOptions options() {
        return options;
    }

    public String runId() {
        return runId;
    }

    /** Sets how long a COMMIT waits for readers on a rollback-journal tier (default 30 s, or SLUICE_COMMIT_WAIT seconds). */
    public PlaybookSession commitWait(java.time.Duration wait) {
        this.commitWait = wait;
        return this;
    }

    /** The step waiting for a decision (transactions open), or null. */
    public StepContext current() {
        return open;
    }

    public List<StepResult> results() {
        return List.copyOf(results);
    }

    // ---------------------------------------------------------------- cancellation (signals)

    /** What {@link #cancel} did: the first request stops the run; later ones find it already stopping. */
    public enum CancelRequest { STOPPING, ALREADY_STOPPING }

    /**
     * Asks the run to stop, from any thread (a signal handler): the SQL running on every tier is cancelled and the thread
     * running the steps is interrupted (out of a sleep, a wait or the step-mode question), so it rolls the open step back.
     * A commit in progress is never split: it finishes, and the run stops after it. Later calls change nothing.
     */
    public CancelRequest cancel(String reason) {
        return cancellation.cancel(reason);
    }

    /** The reason given to {@link #cancel}, or null while nobody asked the run to stop. */
    public String cancelReason() {
        return cancellation.reason();
    }

    public boolean cancelRequested() {
        return cancellation.requested();
    }

    /** True while the commit loop runs: nothing may stop the run's thread then. */
    public boolean committing() {
        return cancellation.committing();
    }

    int alreadyApplied() {
        return alreadyApplied;
    }

    // ---------------------------------------------------------------- steps and their state

    /** Every step of the playbook with its state against the history of the workspace's tiers. */
    public List<StepStatus> steps() {
        return statuses(session, playbook);
    }

    /** Step states without a run (for --list and repair): reads history only, takes no lock. */
    public static List<StepStatus> statuses(Session session, Playbook playbook) {
        return StepStatuses.of(session, playbook);
    }

    public StepStatus status(Step step) {
        return steps().stream().filter(s -> s.step().equals(step)).findFirst().orElseThrow();
    }

    /** The next selected step that will run (pending), or null when none is left. */
    public Step peek() {
        List<StepStatus> st = steps();
        for (int i = cursor; i < selection.size(); i++) {
            Step s = selection.get(i);
            if (st.get(s.index() - 1).state() != StepState.APPLIED) {
                return s;
            }
        }
        return null;
    }

    /** Where the run stands: the open step, the next one, and what each selected step became. */
    public record Status(String playbook, RunMode mode, String openStep, String nextStep, List<StepStatus> steps, List<StepResult> results) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(playbook + " (" + mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ")");
            sb.append(openStep == null ? "" : "\n  open: '" + openStep + "' (transactions open: commit, rollback or skip)");
            if (openStep == null) { // with a step open, what comes next depends on the decision
                sb.append("\n  next: ").append(nextStep == null ? "nothing left" : "'" + nextStep + "'");
            }
            steps.forEach(s -> sb.append("\n  ").append(s));
            return sb.toString();
        }
    }

    public Status status() {
        Step n = open == null ? peek() : null;
        return new Status(playbook.displayPath(), options.mode(), open == null ? null : open.step().name(), n == null ? null : n.name(),
                steps(), results());
    }

    // ---------------------------------------------------------------- running a step

    /**
     * Runs the next pending step of the selection and returns its result with every tier's transaction still open
     * (status OPEN), or FAILED with everything rolled back, or null when no step is left. Applied steps on the way
     * are skipped and reported. In a dry run the result is DRY_RUN and the transactions stay open for the next step.
     */
    public StepResult next() {
        requireNotClosed();
        cancellation.runOnCurrentThread(); // the thread a cancel interrupts: it runs the step and then waits for the decision
        if (cancellation.requested()) {
            throw cancellation.cancelledHere();
        }
        if (open != null) {
            throw new SluiceException(ErrorCode.USAGE, "Step '" + open.step().name() + "' is still open. Commit, roll back or skip it first.");
        }
        List<StepStatus> st = steps();
        while (cursor < selection.size()) {
            Step s = selection.get(cursor);
            StepStatus status = st.get(s.index() - 1);
            if (status.state() == StepState.APPLIED) {
                alreadyApplied++;
                listener.stepSkipped(status, "applied on " + String.join(", ", status.appliedOn()) + " at " + dev.sluice.tier.Format.time(status.appliedAt()));
                cursor++;
                continue;
            }
            if (status.state() == StepState.CHANGED) {
                throw changed(status);
            }
            List<Tier> participants = s.atomic() ? AtomicStep.participants(session, playbook) : List.of();
            boolean implicit = false;
            if (!s.atomic() && !s.perTier() && !options.dryRun()) {
                // Where every SQLite participant allows it, a step commits with one COMMIT without being asked (issue 14).
                List<Tier> candidates = AtomicStep.participants(session, playbook);
                if (candidates.size() >= 2 && AtomicStep.allowOneCommit(candidates)) {
                    participants = candidates;
                    implicit = true;
                }
            }
            if (implicit) {
                implicitAtomic = true;
                StepResult r = runStep(s, cursor + 1, selection.size(), participants);
                implicitAtomic = false;
                if (r != null) {
                    return r;
                }
                listener.note("step '" + s.name() + "' does what one shared COMMIT cannot (copy, consolidate, non-transactional work or "
                        + "SQL reaching another tier): it runs again tier by tier, every tier checked before the first commit");
                return runStep(s, cursor + 1, selection.size(), List.of());
            }
            if (participants.size() >= 2) {
                AtomicStep.validate(s, participants); // refused before anything runs, dry run or not
                if (options.dryRun() && participants.stream().anyMatch(Tier::inTransaction)) {
                    // A dry run keeps every tier's transaction open across steps; the shared connection could not see
                    // those uncommitted changes (nor ATTACH inside them), so it cannot stand for the real run here.
                    listener.note("dry run: atomic step '" + s.name() + "' is not run after earlier steps of the same dry run (their "
                            + "uncommitted changes live on the tiers' own connections); dry-run it alone with --only \"" + s.name() + "\"");
                    cursor++;
                    continue;
                }
            } else if (s.atomic()) {
                listener.note("step '" + s.name() + "' is atomic, but " + (participants.isEmpty() ? "no SQLite tier" : "only "
                        + participants.get(0).name()) + " takes part: it runs as a plain step");
                participants = List.of();
            }
            if (!s.requires().isEmpty()) {
                // Again right before the step (earlier steps may have changed what holds), later blocks included.
                PreconditionReport now = new PreconditionReport(playbook.displayPath(),
                        PreconditionCheck.evaluate(session, PreconditionCheck.scope(s), s.requires(), false));
                if (!now.holds()) {
                    return refused(s, cursor + 1, selection.size(), now);
                }
            }
            StepResult r = runStep(s, cursor + 1, selection.size(), participants);
            if (r.status() == StepResult.Status.DRY_RUN) {
                open = null;
                cursor++;
            }
            return r;
        }
        return null;
    }

    /** A step whose preconditions fail right before it: it does not start; nothing of it ran, nothing to roll back. */
    private StepResult refused(Step step, int position, int total, PreconditionReport report) {
        listener.stepStarted(step, position, total);
        String msg = "Step '" + step.name() + "' did not start: " + report.failures().size() + " precondition"
                + (report.failures().size() == 1 ? "" : "s") + " failed:\n" + String.join("\n", report.failures().stream().map(e -> "  " + e.line()).toList());
        StepResult r = new StepResult(step, position, total, StepResult.Status.FAILED, List.of(), List.of(), List.of(), List.of(), List.of(),
                0, 0, msg, ErrorCode.PRECONDITION);
        results.add(r);
        listener.stepResult(r);
        return r;
    }

    private StepResult runStep(Step step, int position, int total, List<Tier> participants) {
        locks.heartbeat();
        StepContext ctx = new StepContext(step, position, total, session, listener, options.dryRun(), params);
        listener.stepStarted(step, position, total);
        if (!participants.isEmpty()) {
            // Before any BEGIN: ATTACH cannot run inside a transaction.
            atomic = AtomicStep.attach(step, participants, session.workspace().stateDir().resolve("atomic-" + runId + ".db"),
                    implicitAtomic ? m -> { } : listener::note);
        }
        try {
            return runAttached(step, position, total, ctx);
        } finally {
            if (atomic != null && open == null) {
                endAtomic(); // failed, or a dry run: the step is over, nothing stays attached
            }
        }
    }

    private StepResult runAttached(Step step, int position, int total, StepContext ctx) {
        for (Tier t : session.tiers()) {
            if (!t.inTransaction()) {
                t.begin();
            }
        }
        Map<String, Map<String, Long>> before = new LinkedHashMap<>();
        Map<String, Long> changesBefore = new LinkedHashMap<>();
        Map<String, Map<String, String>> schemaBefore = new LinkedHashMap<>();
        Map<String, TierShape> shapeBefore = new LinkedHashMap<>();
        for (Tier t : session.tiers()) {
            before.put(t.name(), TierMeasures.counts(t));
            schemaBefore.put(t.name(), TierMeasures.schemas(t));
            shapeBefore.put(t.name(), TierShape.of(t));
            changesBefore.put(t.name(), TierMeasures.totalChanges(t));
        }
        TierInternals.Listener writes = new TierInternals.Listener() {
            @Override
            public void beforeWrite(Tier tier, String sql) {
                if (cancellation.requestedOnRunThread()) {
                    throw cancellation.cancelledHere(); // a step that swallowed the interrupt writes nothing more (the cleanup still may)
                }
                ctx.wrote(tier.name());
            }
        };
        List<RowWatch> hooks = new ArrayList<>();
        if (atomic != null) {
            atomic.hook(ctx); // one hook on the shared connection, attributing by schema
        }
        for (Tier t : session.tiers()) {
            TierInternals.addListener(t, writes);
            if (atomic != null && atomic.includes(t)) {
                continue;
            }
            RowWatch.on(t, (db, table) -> {
                ctx.wrote(t.name());
                ctx.writtenTables.computeIfAbsent(t.name(), k -> new LinkedHashSet<>()).add(table);
            }).ifPresent(hooks::add);
        }
        NonTransactional prevGate = session.useNonTransactional(new StepGate(ctx, session, options, decider, listener, () -> atomic));
        Sluice.Binding bound = Sluice.bind(session); // the step's Groovy calls the static DSL
        for (Tier t : session.tiers()) {
            TierInternals.decidedBy(t, this::decisionRefusal); // tier1.commit() would commit the step with no history row
        }
        open = ctx;
        long t0 = System.nanoTime();
        Throwable failure = null;
        inBody = true;
        try {
            step.body().run(ctx);
        } catch (Throwable e) {
            failure = e;
        } finally {
            inBody = false;
            long ms = (System.nanoTime() - t0) / 1_000_000;
            session.useNonTransactional(prevGate);
            bound.close();
            for (Tier t : session.tiers()) {
                TierInternals.removeListener(t, writes);
            }
            hooks.forEach(RowWatch::close); // an archived tier's connection is closed, and its hooks with it
            if (atomic != null) {
                atomic.unhook();
            }
            if (failure != null) {
                open = null;
                if (cancellation.requestedOnRunThread()) {
                    cancellation.notice();
                }
                boolean again = implicitAtomic && dev.sluice.tier.SharedConnection.Refused.in(failure)
                        && !cancellation.requested()
                        && ctx.actions.stream().noneMatch(a -> a.outcome() == ActionRecord.Outcome.PERFORMED);
                try {
                    rollbackAll();
                } finally {
                    endAtomic();
                }
                if (again) {
                    return null; // the caller runs the step again on the tiers' own connections
                }
                runRollbacks(ctx);
                String msg = failure instanceof SluiceException se ? se.getMessage()
                        : failure.getClass().getSimpleName() + ": " + failure.getMessage();
                ErrorCode code = failure instanceof SluiceException se ? se.code() : ErrorCode.PLAYBOOK;
                StepResult r = new StepResult(step, position, total, StepResult.Status.FAILED, List.of(), List.of(), List.of(),
                        ctx.expectations(), ctx.actions(), 0, ms, msg, code);
                results.add(r);
                listener.stepResult(r);
                return r;
            }
            StepResult r = measure(ctx, before, changesBefore, schemaBefore, shapeBefore, ms);
            if (options.dryRun() && atomic != null) {
                // The shared connection cannot outlive the step: its changes are rolled back now, not at the end of the run.
                // Only the shared connection: the other tiers keep the dry run's transactions for the steps after.
                open = null;
                endAtomic();
                listener.note("dry run: atomic step '" + step.name() + "' rolled back at its end; later steps do not see its changes");
            }
            openResult = r;
            openBefore = before;
            results.add(r);
            listener.stepResult(r);
            return r;
        }
    }

    private StepResult measure(StepContext ctx, Map<String, Map<String, Long>> before, Map<String, Long> changesBefore,
                               Map<String, Map<String, String>> schemaBefore, Map<String, TierShape> shapeBefore, long ms) {
        List<TableChange> tables = new ArrayList<>();
        Set<String> written = new LinkedHashSet<>(ctx.writtenTiers());
        if (atomic != null && atomic.unattributedWrites()) {
            atomic.tiers().forEach(t -> written.add(t.name()));
            listener.note("atomic step '" + ctx.step().name() + "': some rows changed where SQLite's update hook does not report them "
                    + "(a WITHOUT ROWID table, a DELETE without WHERE); every participant counts as written and gets its history row");
        }
        Map<String, Long> changes = new LinkedHashMap<>();
        long rows = 0;
        for (Tier t : session.tiers()) {
            Map<String, Long> b = before.get(t.name());
            Map<String, Long> a = TierMeasures.counts(t);
            long delta = atomic != null && atomic.includes(t) ? atomic.changes(t.name())
                    : Math.max(0, TierMeasures.totalChanges(t) - changesBefore.get(t.name()));
            changes.put(t.name(), delta);
            rows += delta;
            Map<String, String> sb = schemaBefore.get(t.name());
            Map<String, String> sa = TierMeasures.schemas(t);
            if (delta > 0 || !a.equals(b) || !sa.equals(sb)) {
                written.add(t.name());
            }
            if (!written.contains(t.name())) {
                continue;
            }
            Set<String> names = new LinkedHashSet<>(b.keySet());
            names.addAll(a.keySet());
            Set<String> hooked = ctx.writtenTables.getOrDefault(t.name(), Set.of());
            TierShape shapeWas = shapeBefore.get(t.name());
            TierShape shapeNow = TierShape.of(t);
            BeforeReader reader = new BeforeReader(t);
            try {
                for (String table : names) {
                    Long nb = b.get(table);
                    Long na = a.get(table);
                    boolean w = hooked.contains(table);
                    Boolean cs = null;
                    String note = null;
                    String sumBefore = null;
                    String sumAfter = null;
                    if (w || !Objects.equals(nb, na)) {
                        if (nb == null || na == null) {
                            cs = true;
                        } else {
                            try {
                                Checksum after = new Checksummer(t).checksum(table, null, null);
                                Checksum was = reader.checksum(table);
                                if (was == null) {
                                    note = "checksum not compared (" + reader.why + ")";
                                } else {
                                    cs = !after.sha256().equals(was.sha256());
                                    sumBefore = was.sha256();
                                    sumAfter = after.sha256();
                                }
                            } catch (RuntimeException e) {
                                note = "checksum not compared (" + e.getMessage() + ")";
                            }
                        }
                    }
                    List<SchemaEdit> edits = shapeWas.changes(shapeNow, table);
                    tables.add(new TableChange(t.name(), table, nb, na, w, !Objects.equals(sb.get(table), sa.get(table)) || !edits.isEmpty(), cs,
                            note, edits, sumBefore, sumAfter));
                }
            } finally {
                reader.close();
            }
        }
        openChanges = changes;
        written.retainAll(session.tiers().names()); // a tier archived by the step is closed and gone: nothing to commit there
        List<String> untouched = session.tiers().names().stream().filter(n -> !written.contains(n)).toList();
        return new StepResult(ctx.step(), ctx.position(), ctx.total(), options.dryRun() ? StepResult.Status.DRY_RUN : StepResult.Status.OPEN,
                tables, new ArrayList<>(written), untouched, ctx.expectations(), ctx.actions(), rows, ms, null, null);
    }

    // ---------------------------------------------------------------- deciding

    /** Commits the open step: a history row on every tier it wrote (in the same transaction), then the commits. */
    public StepResult commit() {
        return commits.commit(requireOpen(), openResult, openChanges, openBefore, atomic, commitWait, new Decided());
    }

    /** What the commit does to the open step: abandons it when it fails, ends the atomic sharing and decides it when it succeeds. */
    private final class Decided implements StepCommit.OpenStep {
        @Override
        public void abandon() {
            abandonOpen();
        }

        @Override
        public void endAtomic() {
            PlaybookSession.this.endAtomic();
        }

        @Override
        public StepResult committed(StepResult r) {
            return decided(Decision.COMMIT, r, true);
        }
    }

    /**
     * The finished checkpoints of the backfills in this run's steps, dropped once every step that ran is committed (with
     * the helper table when nothing unfinished is left): until then a crash between a backfill's end and its step's
     * commit must not run its batches again. A failure here is a note: the run itself succeeded.
     */
    void dropFinishedBackfills() {
        for (Tier t : session.tiers()) {
            try {
                if (!TierInternals.isClosed(t) && dev.sluice.data.Backfill.clearFinished(t)) {
                    listener.note("dropped the backfill helper table sluice_progress from tier '" + t.name() + "': its work is committed");
                }
            } catch (RuntimeException e) {
                listener.note("could not drop the finished backfill checkpoints of tier '" + t.name() + "' (" + e.getMessage()
                        + "); they are dropped at the end of the next complete run");
            }
        }
    }

    /** Rolls the open step back on every tier (then runs its rollback block if non-transactional actions ran). It stays pending and next. */
    public StepResult rollback() {
        return undo(Decision.ROLLBACK, StepResult.Status.ROLLED_BACK, false);
    }

    /** Rolls the open step back and moves past it; it stays pending for a later run. */
    public StepResult skip() {
        return undo(Decision.SKIP, StepResult.Status.SKIPPED, true);
    }

    /** Rolls the open step back because the operator stops the run. */
    public StepResult quit() {
        return undo(Decision.QUIT, StepResult.Status.ROLLED_BACK, false);
    }

    /** Every decision that does not commit: roll back every tier, end an atomic step's sharing even if that failed, run the rollback blocks. */
    private StepResult undo(Decision d, StepResult.Status status, boolean advance) {
        StepContext ctx = requireOpen();
        try {
            rollbackAll();
        } finally {
            endAtomic();
        }
        runRollbacks(ctx);
        return decided(d, openResult.withStatus(status), advance);
    }

    private StepResult decided(Decision d, StepResult r, boolean advance) {
        Step s = open.step();
        open = null;
        openResult = null;
        results.set(results.size() - 1, r);
        if (advance) {
            cursor++;
        }
        locks.heartbeat();
        listener.decision(s, d);
        if (d == Decision.COMMIT && !options.dryRun() && peek() == null
                && results.stream().allMatch(x -> x.status() == StepResult.Status.COMMITTED)) {
            // The last selected step is committed and every step that ran before it too, whoever drove the run (the
            // CLI's StepRunner or /commit at the console): no batch of a finished backfill can be asked for again.
            dropFinishedBackfills();
        }
        return r;
    }

    private StepContext requireOpen() {
        requireNotClosed();
        if (open == null) {
            throw new SluiceException(ErrorCode.USAGE, "No step is open. Run the next one first (/next).");
        }
        return open;
    }

    /** Ends an atomic step's sharing: rolls back what is still open there, unroutes and DETACHes every participant. */
    private void endAtomic() {
        AtomicStep a = atomic;
        atomic = null;
        if (a != null) {
            a.close();
        }
    }

    /** Schemas on the open atomic step's shared connection, or empty when no atomic step is open (tests, diagnostics). */
    Set<String> sharedSchemas() {
        return atomic == null ? Set.of() : atomic.schemas();
    }

    private void rollbackAll() {
        RuntimeException first = null;
        for (Tier t : session.tiers()) {
            try {
                TierInternals.rollback(t);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void runRollbacks(StepContext ctx) {
        boolean performed = ctx.actions.stream().anyMatch(a -> a.outcome() == ActionRecord.Outcome.PERFORMED);
        if (!performed || ctx.rollbacks().isEmpty()) {
            return;
        }
        listener.note("step '" + ctx.step().name() + "' ran non-transactional actions; running its rollback block");
        try (Sluice.Binding bound = Sluice.bind(session)) {
            ctx.rollbacks().forEach(Runnable::run);
        }
    }

    /** A failed commit: every tier's open transaction rolled back, the atomic sharing ended, the step no longer open. */
    private void abandonOpen() {
        try {
            rollbackAll();
        } finally {
            open = null;
            endAtomic();
        }
    }

    // ---------------------------------------------------------------- start-up checks


    /** Whether a step of an earlier run in this workspace is applied on some tiers only, its intent not yet settled. */
    public static boolean unsettledSteps(dev.sluice.workspace.Workspace ws) {
        return !new Intents(ws.stateDir()).pending().isEmpty();
    }

    /**
     * Before the workspace is opened: refuses a run whose SQLite tiers another run holds, naming every holder at once
     * (opening a tier that a paused run is writing would wait out the busy timeout first).
     */
    public static void refuseIfLockedBeforeOpening(dev.sluice.workspace.Workspace ws, Playbook playbook) {
        RunLockHold.refuseIfLockedBeforeOpening(ws, playbook);
    }

    private void lock() {
        locks.take(session, playbook, options, runId, listener::note);
    }

    private void releaseLocks() {
        locks.release();
    }

    private SluiceException changed(StepStatus s) {
        return new SluiceException(ErrorCode.STEP_CHANGED, "Step '" + s.step().name() + "' changed since it was applied to "
                + String.join(", ", s.appliedOn()) + " on " + dev.sluice.tier.Format.time(s.appliedAt()) + " (applied sha256 " + s.appliedChecksum().substring(0, 12)
                + "…, now " + s.step().shortChecksum() + "). Revert the edit, or run 'sluice repair " + playbook.displayPath()
                + " --step \"" + s.step().name() + "\"' to accept it.");
    }

    // ---------------------------------------------------------------- helpers

    private void requireNotClosed() {
        if (closed) {
            throw new SluiceException(ErrorCode.USAGE, "This run of " + playbook.displayPath() + " is over. Start it again with /run.");
        }
    }

    /**
     * Why an operator's {@code commit()}/{@code rollback()} on a tier is refused now, or null when no step is open: the
     * step owns its tiers' transactions, and only its own decision writes the history row with the change.
     */
    private String decisionRefusal() {
        StepContext ctx = open;
        if (ctx == null) {
            return null;
        }
        String step = "step '" + ctx.step().name() + "'";
        return inBody
                ? step + " owns this tier's transaction, and the step commits or rolls back as a whole when its body ends. Remove the call from the step body."
                : step + " is open on this tier. Use /commit or /rollback to decide the step (its history row goes with its changes).";
    }

    /** Ends the run: rolls back an open step (and, in a dry run, every step), releases the locks. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cancellation.requested()) {
            cancellation.notice();
        }
        try {
            if (open != null) {
                StepContext ctx = open;
                open = null;
                try {
                    rollbackAll();
                } finally {
                    endAtomic();
                }
                runRollbacks(ctx);
            }
            endAtomic();
            for (Tier t : session.tiers()) {
                if (!TierInternals.isClosed(t) && t.inTransaction()) {
                    TierInternals.rollback(t);
                }
            }
        } finally {
            for (Tier t : session.tiers()) {
                TierInternals.decidedBy(t, null);
            }
            releaseLocks();
        }
    }

    Optional<StepResult> lastResult() {
        return results.isEmpty() ? Optional.empty() : Optional.of(results.get(results.size() - 1));
    }
}

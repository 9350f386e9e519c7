package dev.sluice.playbook;

import dev.sluice.dsl.Expectation;
import dev.sluice.dsl.Session;
import dev.sluice.dsl.Sluice;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The live state of the step that is running or waiting for a decision: which tiers and tables it wrote to, its
 * expectations, the non-transactional actions it met, and the rollback actions it declared. Lives in the
 * {@link PlaybookSession}, never in a thread (console snippets run on threads of their own).
 */
public final class StepContext {
    private final Step step;
    private final int position;
    private final int total;
    private final Session session;
    private final RunListener listener;
    private final boolean dryRun;
    private final Map<String, Object> params;
    final Set<String> writtenTiers = Collections.synchronizedSet(new LinkedHashSet<>());
    /** Tiers with step writes not yet behind a non-transactional action (which ends and restarts the tier's transaction). */
    final Set<String> openWrites = Collections.synchronizedSet(new LinkedHashSet<>());
    final Map<String, Set<String>> writtenTables = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<Expectation> expectations = new ArrayList<>();
    final List<ActionRecord> actions = new ArrayList<>();
    private final List<Runnable> rollbacks = new ArrayList<>();
    private int expectDepth;

    StepContext(Step step, int position, int total, Session session, RunListener listener, boolean dryRun, Map<String, Object> params) {
        this.step = step;
        this.position = position;
        this.total = total;
        this.session = session;
        this.listener = listener;
        this.dryRun = dryRun;
        this.params = params;
    }

    public Step step() {
        return step;
    }

    public int position() {
        return position;
    }

    public int total() {
        return total;
    }

    public Session session() {
        return session;
    }

    public boolean dryRun() {
        return dryRun;
    }

    /** Parameter values of the run (defaults overridden by -p). */
    public Map<String, Object> params() {
        return params;
    }

    /** Records a write on {@code tier}: the step wrote to it, and its current transaction holds that write. */
    void wrote(String tier) {
        writtenTiers.add(tier);
        openWrites.add(tier);
    }

    /** Tiers this step has written to so far. */
    public Set<String> writtenTiers() {
        synchronized (writtenTiers) {
            return Set.copyOf(writtenTiers);
        }
    }

    public List<Expectation> expectations() {
        return List.copyOf(expectations);
    }

    public List<ActionRecord> actions() {
        return List.copyOf(actions);
    }

    /** Evaluates a named check inside the step's transactions and records its outcome (a failure does not stop the body). */
    public Expectation expect(String name, BooleanSupplier check) {
        listener.expectationStarted(step, name);
        expectDepth++;
        Expectation e;
        try {
            e = Sluice.expect(name, check);
        } finally {
            expectDepth--;
        }
        expectations.add(e);
        listener.expectation(step, e);
        return e;
    }

    /** True while an expectation is being evaluated (the grammar refuses keywords there). */
    public boolean insideExpectation() {
        return expectDepth > 0;
    }

    /** What to do if the operator rejects the step after non-transactional actions ran (runs after the rollback). */
    public void onRollback(Runnable action) {
        rollbacks.add(action);
    }

    List<Runnable> rollbacks() {
        return rollbacks;
    }

    public void note(String message) {
        listener.note("step '" + step.name() + "': " + message);
    }
}

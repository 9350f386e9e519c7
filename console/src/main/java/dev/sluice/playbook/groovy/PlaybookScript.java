package dev.sluice.playbook.groovy;

import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import groovy.lang.Script;

/** The base class of every playbook file: gives it the top-level {@code playbook 'Title', { … }} keyword. */
public abstract class PlaybookScript extends Script {
    private LoadContext load;

    void attach(LoadContext load) {
        this.load = load;
    }

    /** Preconditions at the top level of the file: the same as a {@code requires} block directly in the playbook block. */
    public void requires(@DelegatesTo(value = RequiresDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        if (!load.loading) {
            throw load.misuse(Grammar.Keyword.REQUIRES);
        }
        load.requires.add(RequiresDelegate.block(load, body, false, load.lineOf(new Throwable().getStackTrace())));
    }

    /** The playbook: a title and a block of description, tiers, param and step. */
    public void playbook(String title, @DelegatesTo(value = PlaybookDelegate.class, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
        if (!load.loading || load.seenPlaybook) {
            throw load.misuse(Grammar.Keyword.PLAYBOOK);
        }
        load.seenPlaybook = true;
        load.title = title;
        Closure<?> c = (Closure<?>) body.clone();
        c.setDelegate(new PlaybookDelegate(load));
        c.setResolveStrategy(Closure.DELEGATE_FIRST);
        c.call();
    }
}

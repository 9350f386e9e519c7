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

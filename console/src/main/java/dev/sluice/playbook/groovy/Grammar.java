package dev.sluice.playbook.groovy;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The playbook grammar as data: the blocks a file nests, the keywords, and in which block each keyword may appear.
 * The loader checks every keyword call in the syntax tree against {@link #ALLOWED} before anything runs; the delegates
 * check again at run time for calls the tree could not see.
 */
final class Grammar {
    /** The nesting levels of a playbook file. */
    public enum Block {
        FILE, PLAYBOOK, STEP, EXPECT, ROLLBACK, REQUIRES, CHECK
    }

    /**
     * Each keyword: the blocks it may appear in, the block its closure opens (null: none), and the rule in words. A
     * contextual keyword is one only inside its block: elsewhere the word is an ordinary call ({@code journalMode tier1,
     * 'WAL'} in a step changes the mode; in {@code requires} it checks it).
     */
    public enum Keyword {
        PLAYBOOK("playbook", Block.FILE, Block.PLAYBOOK, "must be at the top level of the file"),
        DESCRIPTION("description", Block.PLAYBOOK, null, "must be directly inside the playbook block"),
        TIERS("tiers", Block.PLAYBOOK, null, "must be directly inside the playbook block"),
        PARAM("param", Block.PLAYBOOK, null, "must be directly inside the playbook block"),
        REQUIRES("requires", EnumSet.of(Block.FILE, Block.PLAYBOOK, Block.STEP), Block.REQUIRES, false,
                "must be at the top level, directly inside the playbook block, or directly inside a step"),
        STEP("step", Block.PLAYBOOK, Block.STEP, "must be directly inside the playbook block"),
        EXPECT("expect", Block.STEP, Block.EXPECT, "must be inside a step"),
        ROLLBACK("rollback", Block.STEP, Block.ROLLBACK, "must be inside a step"),
        TABLE("table", Block.REQUIRES, null, true),
        COLUMNS("columns", Block.REQUIRES, null, true),
        JOURNAL_MODE("journalMode", Block.REQUIRES, null, true),
        FREE_SPACE("freeSpace", Block.REQUIRES, null, true),
        SNAPSHOT_FREE("snapshotFree", Block.REQUIRES, null, true),
        SERVICE("service", Block.REQUIRES, null, true),
        CHECK("check", Block.REQUIRES, Block.CHECK, true);

        private final String word;
        private final Set<Block> parents;
        private final Block opens;
        private final boolean contextual;
        private final String rule;

        Keyword(String word, Block parent, Block opens, String rule) {
            this(word, EnumSet.of(parent), opens, false, rule);
        }

        Keyword(String word, Block parent, Block opens, boolean contextual) {
            this(word, EnumSet.of(parent), opens, contextual, "must be inside a requires block");
        }

        Keyword(String word, Set<Block> parents, Block opens, boolean contextual, String rule) {
            this.word = word;
            this.parents = parents;
            this.opens = opens;
            this.contextual = contextual;
            this.rule = rule;
        }

        public String word() {
            return word;
        }

        /** The first block it may appear in. */
        public Block parent() {
            return parents.iterator().next();
        }

        public Set<Block> parents() {
            return java.util.Collections.unmodifiableSet(parents);
        }

        public Block opens() {
            return opens;
        }

        /** A keyword only inside its block; elsewhere an ordinary name. */
        public boolean contextual() {
            return contextual;
        }

        /** The misuse message without its position: {@code 'expect' must be inside a step}. */
        public String misuse() {
            return "'" + word + "' " + rule;
        }

        public static Optional<Keyword> of(String word) {
            return Arrays.stream(values()).filter(k -> k.word.equals(word)).findFirst();
        }
    }

    /** Which keywords each block allows: the table the loader checks against. */
    public static final Map<Block, Set<Keyword>> ALLOWED;

    static {
        Map<Block, Set<Keyword>> m = new EnumMap<>(Block.class);
        for (Block b : Block.values()) {
            m.put(b, EnumSet.noneOf(Keyword.class));
        }
        for (Keyword k : Keyword.values()) {
            k.parents().forEach(b -> m.get(b).add(k));
        }
        ALLOWED = java.util.Collections.unmodifiableMap(m);
    }

    private Grammar() {
    }

    public static boolean allowed(Block in, Keyword k) {
        return ALLOWED.get(in).contains(k);
    }
}

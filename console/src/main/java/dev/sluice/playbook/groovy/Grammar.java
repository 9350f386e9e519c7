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
public final class Grammar {
    /** The nesting levels of a playbook file. */
    public enum Block {
        FILE, PLAYBOOK, STEP, EXPECT, ROLLBACK
    }

    /** Each keyword: the block it must appear in, the block its closure opens (null: none), and the rule in words. */
    public enum Keyword {
        PLAYBOOK("playbook", Block.FILE, Block.PLAYBOOK, "must be at the top level of the file"),
        DESCRIPTION("description", Block.PLAYBOOK, null, "must be directly inside the playbook block"),
        TIERS("tiers", Block.PLAYBOOK, null, "must be directly inside the playbook block"),
        PARAM("param", Block.PLAYBOOK, null, "must be directly inside the playbook block"),
        STEP("step", Block.PLAYBOOK, Block.STEP, "must be directly inside the playbook block"),
        EXPECT("expect", Block.STEP, Block.EXPECT, "must be inside a step"),
        ROLLBACK("rollback", Block.STEP, Block.ROLLBACK, "must be inside a step");

        private final String word;
        private final Block parent;
        private final Block opens;
        private final String rule;

        Keyword(String word, Block parent, Block opens, String rule) {
            this.word = word;
            this.parent = parent;
            this.opens = opens;
            this.rule = rule;
        }

        public String word() {
            return word;
        }

        public Block parent() {
            return parent;
        }

        public Block opens() {
            return opens;
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
            m.get(k.parent()).add(k);
        }
        ALLOWED = java.util.Collections.unmodifiableMap(m);
    }

    private Grammar() {
    }

    public static boolean allowed(Block in, Keyword k) {
        return ALLOWED.get(in).contains(k);
    }
}

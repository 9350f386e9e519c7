package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * <b>Internal: no compatibility promise.</b> The one reader of SQL text in Sluice: script and migration splitting, the
 * atomic step's cross-tier guard, {@code :lo}/{@code :hi} binding in backfill batches, DDL renaming and console completion
 * all see SQL through these tokens, so they agree on where a string, a comment or a statement ends.
 * <p>
 * Rules by dialect (PostgreSQL for PostgreSQL tiers, SQLite's for every other engine):
 * <ul>
 * <li>both: {@code 'strings'} with {@code ''}, {@code "names"} with {@code ""}, {@code --} line comments,
 *     {@code /* *}{@code /} comments, {@code ?} and {@code :name} parameters;</li>
 * <li>SQLite: {@code `names`} and {@code [names]}, {@code @name} and {@code $name} parameters; {@code CREATE TRIGGER … BEGIN …
 *     END} bodies hold semicolons;</li>
 * <li>PostgreSQL: nested block comments, {@code $tag$ … $tag$} dollar-quoted strings, {@code E'…'} strings with backslash
 *     escapes, {@code $1} parameters, {@code ::} casts; {@code BEGIN ATOMIC … END} function bodies hold semicolons.</li>
 * </ul>
 * {@link #tokens} never fails (an unclosed token is marked so: completion lexes half-typed text); {@link #statements}
 * refuses an unclosed string, name, comment or body with one line naming it, its line and the statement.
 */
public final class SqlLexer {
    /** What a token is. SPACE and COMMENT are insignificant; everything else is part of a statement. */
    public enum Kind {
        SPACE, COMMENT, WORD, NUMBER, QUOTED_NAME, STRING, PARAMETER, SEMICOLON, SYMBOL
    }

    /**
     * One token: {@code sql.substring(start, end)} is its text; {@code line} and {@code column} (1-based) are where it
     * starts; {@code closed} is false for a string, quoted name or comment still open at the end of the text.
     */
    public record Token(Kind kind, int start, int end, int line, int column, boolean closed, String text) {
        public boolean significant() {
            return kind != Kind.SPACE && kind != Kind.COMMENT;
        }

        /** Whether this is the bare word {@code word} (keywords compare case-insensitively). */
        public boolean is(String word) {
            return kind == Kind.WORD && text.equalsIgnoreCase(word);
        }

        /** A name as the engine reads it: a bare word as written, a quoted one without its quotes and doubled quotes. */
        public String name() {
            if (kind != Kind.QUOTED_NAME || text.length() < 2) {
                return text;
            }
            char open = text.charAt(0);
            String inner = text.substring(1, closed ? text.length() - 1 : text.length());
            return open == '[' ? inner : inner.replace(String.valueOf(open) + open, String.valueOf(open));
        }
    }

    /**
     * One statement of a script: its text (from its first token, comments before it left out, to its closing semicolon,
     * left out too), its number (1-based) and the line it starts on.
     */
    public record Statement(String text, int number, int line) {
    }

    private final String sql;
    private final boolean pg;
    private int pos;
    private int line = 1;
    private int lineStart;

    private SqlLexer(String sql, Engine engine) {
        this.sql = sql;
        this.pg = engine == Engine.POSTGRESQL;
    }

    /** Every token of {@code sql}, spaces and comments included, in order; their texts concatenate to {@code sql}. */
    public static List<Token> tokens(String sql, Engine engine) {
        SqlLexer lx = new SqlLexer(sql, engine);
        List<Token> out = new ArrayList<>();
        while (lx.pos < sql.length()) {
            out.add(lx.next());
        }
        return out;
    }

    /** The significant tokens of {@code sql} (no spaces, no comments). */
    public static List<Token> code(String sql, Engine engine) {
        return tokens(sql, engine).stream().filter(Token::significant).toList();
    }

    /**
     * The statements of a script, split at semicolons that end one: not those in strings, names, comments, dollar-quoted
     * bodies, SQLite trigger bodies or PostgreSQL {@code BEGIN ATOMIC} bodies. Statements holding only comments are
     * dropped. Throws (before anything could run) when a string, name, comment or body is not closed.
     */
    public static List<Statement> statements(String sql, Engine engine) {
        SqlLexer lx = new SqlLexer(sql, engine);
        List<Statement> out = new ArrayList<>();
        Token first = null; // the statement's first significant token
        List<Token> head = new ArrayList<>(); // its first words, to recognise a statement that holds a body
        boolean bodied = false;
        int depth = 0;
        Token opened = null; // the BEGIN (or CASE) that opened the outermost block of a body
        while (lx.pos < sql.length()) {
            Token t = lx.next(); // one at a time: a long script is never held as tokens
            if (!t.closed()) {
                throw unterminated(t, out.size() + 1, lx.pg);
            }
            if (!t.significant()) {
                continue;
            }
            if (t.kind() == Kind.SEMICOLON && depth <= 0) {
                if (first != null) {
                    out.add(new Statement(sql.substring(first.start(), t.start()).strip(), out.size() + 1, first.line()));
                }
                first = null;
                head.clear();
                bodied = false;
                depth = 0;
                opened = null;
                continue;
            }
            if (first == null) {
                first = t;
            }
            if (head.size() < 4) {
                head.add(t);
                bodied = holdsBody(head, lx.pg);
            }
            if (bodied && t.kind() == Kind.WORD) {
                if (t.is("BEGIN") || t.is("CASE")) {
                    if (depth++ == 0) {
                        opened = t;
                    }
                } else if (t.is("END")) {
                    depth--;
                }
            }
        }
        if (depth > 0) {
            throw new SluiceException(ErrorCode.SQL, "Unterminated " + opened.text().toUpperCase(Locale.ROOT) + " block at line "
                    + opened.line() + ", column " + opened.column() + " (statement " + (out.size() + 1) + "): the body has no END. "
                    + "Close it with END;.");
        }
        if (first != null) {
            out.add(new Statement(sql.substring(first.start()).strip(), out.size() + 1, first.line()));
        }
        return out;
    }

    /** The first bare word of {@code sql} upper-cased (comments skipped), or "" when it starts otherwise. */
    public static String firstWord(String sql, Engine engine) {
        SqlLexer lx = new SqlLexer(sql, engine);
        while (lx.pos < sql.length()) {
            Token t = lx.next();
            if (t.significant()) {
                return t.kind() == Kind.WORD ? t.text().toUpperCase(Locale.ROOT) : "";
            }
        }
        return "";
    }

    private static boolean holdsBody(List<Token> head, boolean pg) {
        int i = 0;
        if (i >= head.size() || !head.get(i++).is("CREATE")) {
            return false;
        }
        if (pg) {
            if (i + 1 < head.size() && head.get(i).is("OR") && head.get(i + 1).is("REPLACE")) {
                i += 2;
            }
            return i < head.size() && (head.get(i).is("FUNCTION") || head.get(i).is("PROCEDURE"));
        }
        if (i < head.size() && (head.get(i).is("TEMP") || head.get(i).is("TEMPORARY"))) {
            i++;
        }
        return i < head.size() && head.get(i).is("TRIGGER");
    }

    private static SluiceException unterminated(Token t, int statement, boolean pg) {
        String what;
        String fix;
        String opener = t.text().lines().findFirst().orElse("");
        opener = opener.length() > 12 || opener.length() < t.text().length() ? opener.substring(0, Math.min(12, opener.length())) + "…" : opener;
        switch (t.kind()) {
            case COMMENT -> {
                what = "block comment";
                fix = pg ? "Close it with */ (PostgreSQL nests comments: each /* needs its own */)." : "Close it with */.";
            }
            case QUOTED_NAME -> {
                char open = t.text().charAt(0);
                what = "quoted name " + opener;
                fix = "Close it with " + (open == '[' ? ']' : open) + ".";
            }
            default -> {
                if (t.text().startsWith("$")) {
                    String tag = t.text().substring(0, t.text().indexOf('$', 1) + 1);
                    what = "dollar-quoted string " + tag;
                    fix = "Close it with " + tag + ".";
                } else if (t.text().length() > 1 && (t.text().charAt(0) == 'E' || t.text().charAt(0) == 'e')) {
                    what = "escape string " + opener;
                    fix = "Close it with '; inside E'…' write \\' or '' for a quote.";
                } else {
                    what = "string " + opener;
                    fix = "Close it with '; write '' for a quote inside it.";
                }
            }
        }
        return new SluiceException(ErrorCode.SQL, "Unterminated " + what + " at line " + t.line() + ", column " + t.column()
                + " (statement " + statement + "). " + fix);
    }

    // ---------------------------------------------------------------- scanning

    private Token next() {
        int s = pos;
        int l = line;
        int col = pos - lineStart + 1;
        char c = sql.charAt(pos);
        Kind kind;
        boolean closed = true;
        if (Character.isWhitespace(c)) {
            while (pos < sql.length() && Character.isWhitespace(sql.charAt(pos))) {
                advance();
            }
            kind = Kind.SPACE;
        } else if (c == '-' && at(1) == '-') {
            while (pos < sql.length() && sql.charAt(pos) != '\n') {
                pos++;
            }
            kind = Kind.COMMENT;
        } else if (c == '/' && at(1) == '*') {
            closed = blockComment();
            kind = Kind.COMMENT;
        } else if (c == '\'') {
            closed = quoted('\'', '\'', false);
            kind = Kind.STRING;
        } else if (pg && (c == 'E' || c == 'e') && at(1) == '\'') {
            pos++;
            closed = quoted('\'', '\'', true);
            kind = Kind.STRING;
        } else if (c == '"') {
            closed = quoted('"', '"', false);
            kind = Kind.QUOTED_NAME;
        } else if (!pg && c == '`') {
            closed = quoted('`', '`', false);
            kind = Kind.QUOTED_NAME;
        } else if (!pg && c == '[') {
            closed = quoted('[', ']', false);
            kind = Kind.QUOTED_NAME;
        } else if (pg && c == '$' && isDigit(at(1))) {
            pos++;
            while (isDigit(at(0))) {
                pos++;
            }
            kind = Kind.PARAMETER;
        } else if (pg && c == '$' && dollarTag() > 0) {
            closed = dollarString(dollarTag());
            kind = Kind.STRING;
        } else if (c == ':' && at(1) == ':') {
            pos += 2;
            kind = Kind.SYMBOL;
        } else if ((c == ':' || (!pg && (c == '@' || c == '$'))) && isIdentStart(at(1))) {
            pos++;
            while (isIdentPart(at(0))) {
                pos++;
            }
            kind = Kind.PARAMETER;
        } else if (c == '?') {
            pos++;
            while (isDigit(at(0))) {
                pos++;
            }
            kind = Kind.PARAMETER;
        } else if (c == ';') {
            pos++;
            kind = Kind.SEMICOLON;
        } else if (isIdentStart(c)) {
            while (isIdentPart(at(0))) {
                pos++;
            }
            kind = Kind.WORD;
        } else if (isDigit(c) || c == '.' && isDigit(at(1))) {
            while (isIdentPart(at(0)) || at(0) == '.') {
                pos++;
            }
            kind = Kind.NUMBER;
        } else {
            pos++;
            kind = Kind.SYMBOL;
        }
        return new Token(kind, s, pos, l, col, closed, sql.substring(s, pos));
    }

    /** Moves past one character, counting lines. */
    private void advance() {
        if (sql.charAt(pos) == '\n') {
            line++;
            lineStart = pos + 1;
        }
        pos++;
    }

    private char at(int offset) {
        int i = pos + offset;
        return i >= 0 && i < sql.length() ? sql.charAt(i) : 0;
    }

    /** From an opening quote: to the closing one (doubled closers are escapes; with backslashes, \x is too). */
    private boolean quoted(char open, char close, boolean backslash) {
        advance();
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (backslash && c == '\\' && pos + 1 < sql.length()) {
                advance();
                advance();
            } else if (c == close) {
                advance();
                if (close == open && at(0) == close) {
                    advance();
                } else {
                    return true;
                }
            } else {
                advance();
            }
        }
        return false;
    }

    private boolean blockComment() {
        int depth = 0;
        while (pos < sql.length()) {
            if (at(0) == '/' && at(1) == '*' && (depth == 0 || pg)) {
                depth++;
                pos += 2;
            } else if (at(0) == '*' && at(1) == '/') {
                pos += 2;
                if (--depth == 0) {
                    return true;
                }
            } else {
                advance();
            }
        }
        return false;
    }

    /** The length of a {@code $tag$} opening at pos ({@code $$} included), or 0 when there is none. */
    private int dollarTag() {
        int i = pos + 1;
        if (i < sql.length() && isIdentStart(sql.charAt(i))) {
            while (i < sql.length() && isIdentPart(sql.charAt(i)) && sql.charAt(i) != '$') {
                i++;
            }
        }
        return i < sql.length() && sql.charAt(i) == '$' ? i + 1 - pos : 0;
    }

    private boolean dollarString(int tagLength) {
        String tag = sql.substring(pos, pos + tagLength);
        int close = sql.indexOf(tag, pos + tagLength);
        int end = close < 0 ? sql.length() : close + tagLength;
        while (pos < end) {
            advance();
        }
        return close >= 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c > 127 && Character.isLetter(c);
    }

    private static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$' || c > 127 && Character.isLetterOrDigit(c);
    }
}

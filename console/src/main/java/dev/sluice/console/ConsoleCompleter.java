package dev.sluice.console;

import dev.sluice.dsl.Session;
import dev.sluice.snapshot.Snapshot;
import dev.sluice.tier.Column;
import dev.sluice.tier.SqlLexer;
import dev.sluice.tier.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jdk.jshell.SourceCodeAnalysis;

/**
 * Completion for the console: {@code /command} names and their arguments, workspace names inside DSL string arguments
 * (tiers, tables, columns, snapshots) and Java everywhere else (JShell's {@code SourceCodeAnalysis}). Works on a plain
 * buffer and cursor, so tests call it directly; the terminal adapts it to JLine.
 */
public final class ConsoleCompleter {
    /** Methods whose first string argument is a table name. */
    private static final Set<String> TABLE_METHODS = Set.of("count", "checksum", "columns", "indexes", "schema", "table",
            "hasTable", "hasColumn", "primaryKey");
    /** Methods whose first string argument is SQL. */
    private static final Set<String> SQL_METHODS = Set.of("query", "exec", "each", "script", "latency");
    private static final Pattern CALL = Pattern.compile("([A-Za-z_$][\\w$]*)\\s*\\.\\s*([A-Za-z_$][\\w$]*)\\s*\\(\\s*$");
    private static final Pattern STATIC_CALL = Pattern.compile("(?<![\\w$.])([A-Za-z_$][\\w$]*)\\s*\\(\\s*(?:[^()\"]*,\\s*)?$");
    private static final Pattern COLUMN_ARG = Pattern.compile("([A-Za-z_$][\\w$]*)\\s*\\.\\s*(checksum|hasColumn|count)\\s*\\(\\s*\"([^\"]+)\"\\s*,\\s*"
            + "(?:(?:List\\.of|Arrays\\.asList)\\s*\\(\\s*)?(?:\"[^\"]*\"\\s*,\\s*)*$");

    /** How long Tab waits for JShell's Java completion before answering from the names it knows without JShell. */
    static final long JAVA_WAIT_MILLIS = 1_500;
    /** What Tab says when neither JShell nor the names it knows without JShell have an answer yet. */
    static final String WARMING_UP = "Java completion is warming up (JShell's first compile, a second or two); "
            + "tier, table, column and DSL names complete already.";
    private static final Pattern MEMBER = Pattern.compile("(?<![\\w$.])([A-Za-z_$][\\w$]*)\\s*\\.\\s*([A-Za-z_$][\\w$]*)?$");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$.])([A-Za-z_$][\\w$]*)$");
    private static final Pattern JAVA_IDENTIFIER = Pattern.compile("[A-Za-z_$][\\w$]*");

    /**
     * Where the replacement starts in the buffer, the full texts that may replace buffer[start, cursor), and a line to
     * show the person when there is something to say (JShell still warming up), else null.
     */
    public record Completion(int start, List<String> candidates, String note) {
        public Completion(int start, List<String> candidates) {
            this(start, candidates, null);
        }

        static Completion none(int cursor) {
            return new Completion(cursor, List.of());
        }
    }

    private final Session session;
    private final Evaluator evaluator;
    private final SlashCommands commands;
    private final CommandContext context;
    /** True once the startup script has run: JShell is free to complete Java. */
    private final BooleanSupplier warm;

    ConsoleCompleter(Session session, Evaluator evaluator, SlashCommands commands, CommandContext context, BooleanSupplier warm) {
        this.session = session;
        this.evaluator = evaluator;
        this.commands = commands;
        this.context = context;
        this.warm = warm;
    }

    /** Candidates for the text before the cursor at the end of {@code buffer}. */
    public List<String> candidates(String buffer) {
        return complete(buffer, buffer.length()).candidates();
    }

    public Completion complete(String buffer, int cursor) {
        String before = buffer.substring(0, cursor);
        if (InputSource.isCommand(before) && !before.contains("\n")) {
            return command(before);
        }
        int quote = openQuote(before);
        if (quote >= 0) {
            return inString(before, quote);
        }
        return java(buffer, cursor);
    }

    // ---------------------------------------------------------------- /commands

    private Completion command(String before) {
        int slash = before.indexOf('/');
        int sp = before.indexOf(' ');
        if (sp < 0) {
            String prefix = before.substring(slash + 1);
            return new Completion(slash, commands.all().stream().map(SlashCommand::name).filter(n -> n.startsWith(prefix))
                    .map(n -> "/" + n).toList());
        }
        SlashCommand c = commands.find(before.substring(slash + 1, sp));
        if (c == null) {
            return Completion.none(before.length());
        }
        String args = before.substring(sp + 1);
        int wordStart = Arguments.lastStart(args);
        String word = args.substring(wordStart);
        List<String> all;
        try {
            all = c.completer().candidates(args, context);
        } catch (RuntimeException e) {
            all = List.of();
        }
        return new Completion(sp + 1 + wordStart, all.stream().filter(s -> s.startsWith(word)).distinct().toList());
    }

    // ---------------------------------------------------------------- workspace names in strings

    /** Index of the quote opening the string literal the cursor is in, or -1. */
    static int openQuote(String s) {
        int open = -1;
        boolean inChar = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (open >= 0 || inChar) {
                if (c == '\\') {
                    i++;
                } else if (open >= 0 && c == '"') {
                    open = -1;
                } else if (inChar && c == '\'') {
                    inChar = false;
                }
            } else if (c == '"') {
                if (s.startsWith("\"\"\"", i)) {
                    return -1; // text blocks: leave them to Java completion
                }
                open = i;
            } else if (c == '\'') {
                inChar = true;
            } else if (c == '/' && s.startsWith("//", i)) {
                int nl = s.indexOf('\n', i);
                if (nl < 0) {
                    return -1;
                }
                i = nl;
            }
        }
        return open;
    }

    private Completion inString(String before, int quote) {
        String head = before.substring(0, quote);
        String prefix = before.substring(quote + 1);
        Matcher col = COLUMN_ARG.matcher(head);
        if (col.find() && tierNamed(col.group(1)) != null) {
            Tier t = tierNamed(col.group(1));
            int ws = wordStart(prefix);
            return new Completion(quote + 1 + ws, filter(columns(t, col.group(3)), prefix.substring(ws)));
        }
        Matcher call = CALL.matcher(head);
        if (call.find()) {
            Tier t = tierNamed(call.group(1));
            String method = call.group(2);
            if (t != null && TABLE_METHODS.contains(method)) {
                return new Completion(quote + 1, filter(tables(t), prefix));
            }
            if (t != null && SQL_METHODS.contains(method)) {
                return sql(t, before, quote, prefix);
            }
        }
        Matcher st = STATIC_CALL.matcher(head);
        if (st.find()) {
            String fn = st.group(1);
            if (fn.equals("tier")) {
                return new Completion(quote + 1, filter(session.tiers().names(), prefix));
            }
            if (fn.equals("restore")) {
                return new Completion(quote + 1, filter(snapshotNames(), prefix));
            }
        }
        return Completion.none(before.length());
    }

    /**
     * Inside SQL: table names, and the columns of the tables the statement names so far (after FROM, JOIN, INTO, UPDATE or
     * TABLE, in any quoting); nothing while the cursor is inside a SQL string or comment.
     */
    private Completion sql(Tier t, String before, int quote, String sql) {
        int ws = wordStart(sql);
        String word = sql.substring(ws);
        List<SqlLexer.Token> tokens = SqlLexer.tokens(javaStringValue(sql), t.engine());
        if (!tokens.isEmpty()) {
            SqlLexer.Token last = tokens.get(tokens.size() - 1);
            if (!last.closed() || last.kind() == SqlLexer.Kind.COMMENT && last.text().startsWith("--")) {
                return Completion.none(before.length());
            }
        }
        List<SqlLexer.Token> statement = new ArrayList<>();
        for (SqlLexer.Token tk : tokens) {
            if (tk.kind() == SqlLexer.Kind.SEMICOLON) {
                statement.clear();
            } else if (tk.significant()) {
                statement.add(tk);
            }
        }
        Set<String> names = new LinkedHashSet<>();
        List<String> tables = tables(t);
        for (String named : namedTables(statement)) {
            for (String tb : tables) {
                if (tb.equalsIgnoreCase(named)) {
                    names.addAll(columns(t, tb));
                }
            }
        }
        names.addAll(tables);
        return new Completion(quote + 1 + ws, names.stream()
                .filter(n -> n.toLowerCase(Locale.ROOT).startsWith(word.toLowerCase(Locale.ROOT))).toList());
    }

    /** The tables a statement names after FROM, JOIN, INTO, UPDATE or TABLE ({@code schema.table} gives the table). */
    private static List<String> namedTables(List<SqlLexer.Token> code) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i + 1 < code.size(); i++) {
            SqlLexer.Token k = code.get(i);
            if (k.is("FROM") || k.is("JOIN") || k.is("INTO") || k.is("UPDATE") || k.is("TABLE")) {
                int n = i + 1;
                if (n + 2 < code.size() && code.get(n + 1).text().equals(".")) {
                    n += 2;
                }
                SqlLexer.Token name = code.get(n);
                if (name.kind() == SqlLexer.Kind.WORD || name.kind() == SqlLexer.Kind.QUOTED_NAME) {
                    out.add(name.name());
                }
            }
        }
        return out;
    }

    /** The text of a Java string literal's body as typed so far ({@code \"} is a quote, {@code \n} a new line). */
    private static String javaStringValue(String typed) {
        StringBuilder b = new StringBuilder(typed.length());
        for (int i = 0; i < typed.length(); i++) {
            char c = typed.charAt(i);
            if (c == '\\' && i + 1 < typed.length()) {
                char e = typed.charAt(++i);
                b.append(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static int wordStart(String s) {
        int i = s.length();
        while (i > 0 && (Character.isLetterOrDigit(s.charAt(i - 1)) || s.charAt(i - 1) == '_' || s.charAt(i - 1) == '$')) {
            i--;
        }
        return i;
    }

    private static List<String> filter(List<String> names, String prefix) {
        return names.stream().filter(n -> n.startsWith(prefix)).distinct().toList();
    }

    private Tier tierNamed(String variable) {
        return session.tiers().has(variable) ? session.tier(variable) : null;
    }

    private static List<String> tables(Tier t) {
        try {
            return t.tables();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private static List<String> columns(Tier t, String table) {
        try {
            return t.columns(table).stream().map(Column::name).toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    List<String> snapshotNames() {
        try {
            return session.snapshots().list().stream().map(Snapshot::name).toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** Playbook files for /run: under the workspace, ./playbooks and Sluice's own playbooks folder. */
    public List<String> playbooks() {
        return playbooks(session);
    }

    /**
     * Playbook files ({@code .groovy}) under the workspace, the current folder's {@code playbooks/} and
     * {@code $SLUICE_HOME/playbooks}, each as the shortest path {@code /run} resolves: relative to the workspace, else to
     * the current folder, else absolute.
     */
    public static List<String> playbooks(Session session) {
        Path ws = session.workspace().dir().toAbsolutePath().normalize();
        Path here = Path.of("").toAbsolutePath().normalize();
        List<Path> roots = new ArrayList<>(List.of(ws, here.resolve("playbooks")));
        String home = System.getProperty("sluice.home");
        if (home != null) {
            roots.add(Path.of(home, "playbooks").toAbsolutePath().normalize());
        }
        Set<String> out = new LinkedHashSet<>();
        for (Path root : roots) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.walk(root, 3)) {
                    s.filter(p -> p.toString().endsWith(".groovy") && Files.isRegularFile(p)).sorted().forEach(p -> {
                        Path abs = p.toAbsolutePath().normalize();
                        out.add((abs.startsWith(ws) ? ws.relativize(abs) : abs.startsWith(here) ? here.relativize(abs) : abs).toString());
                    });
                } catch (IOException | java.io.UncheckedIOException e) {
                    // unreadable folder: nothing to offer
                }
            }
        }
        return new ArrayList<>(out);
    }

    // ---------------------------------------------------------------- Java

    /**
     * Java through JShell. While JShell is cold (the startup script still running, or its first completion taking longer
     * than {@link #JAVA_WAIT_MILLIS}) Tab answers from what needs no compiler ({@link #names}) or says it is warming up,
     * instead of going quiet: the first Tab after start-up used to be lost for up to 10 s.
     */
    private Completion java(String buffer, int cursor) {
        if (!warm.getAsBoolean()) {
            return names(buffer.substring(0, cursor));
        }
        int[] anchor = {-1};
        List<SourceCodeAnalysis.Suggestion> s = evaluator.suggestions(buffer, cursor, anchor, JAVA_WAIT_MILLIS);
        if (s == null) {
            return names(buffer.substring(0, cursor)); // JShell is still busy: it keeps going, and the next Tab is quick
        }
        if (s.isEmpty() || anchor[0] < 0) {
            return Completion.none(cursor);
        }
        List<String> smart = s.stream().filter(SourceCodeAnalysis.Suggestion::matchesType)
                .map(SourceCodeAnalysis.Suggestion::continuation).distinct().toList();
        List<String> all = s.stream().map(SourceCodeAnalysis.Suggestion::continuation).distinct().toList();
        return new Completion(anchor[0], smart.isEmpty() ? all : smart);
    }

    /**
     * Completion that needs no compiler, as JShell would complete the same text: after {@code tier1.} the DSL calls of a
     * tier ({@code count(}, {@code tables()}); a bare name: tier variables, {@code ws}, {@code tiers}, {@code lastError}
     * and the DSL's static calls. Anything else answers with the {@link #WARMING_UP} note.
     */
    Completion names(String before) {
        Matcher member = MEMBER.matcher(before);
        if (member.find()) {
            String prefix = member.group(2) == null ? "" : member.group(2);
            int start = before.length() - prefix.length();
            if (session.tiers().has(member.group(1)) && JAVA_IDENTIFIER.matcher(member.group(1)).matches()) {
                List<String> calls = methods(Tier.class, false, prefix);
                return calls.isEmpty() ? new Completion(start, List.of(), WARMING_UP) : new Completion(start, calls);
            }
            return new Completion(start, List.of(), WARMING_UP);
        }
        Matcher id = IDENTIFIER.matcher(before);
        if (id.find()) {
            String prefix = id.group(1);
            List<String> out = new ArrayList<>();
            for (String name : session.tiers().names()) {
                if (JAVA_IDENTIFIER.matcher(name).matches() && !ConsoleStartup.RESERVED.contains(name)) {
                    out.add(name);
                }
            }
            out.addAll(List.of("ws", "tiers", "lastError"));
            out.addAll(methods(dev.sluice.dsl.Sluice.class, true, ""));
            List<String> matching = out.stream().filter(n -> n.startsWith(prefix)).distinct().sorted().toList();
            return matching.isEmpty() ? new Completion(id.start(1), List.of(), WARMING_UP) : new Completion(id.start(1), matching);
        }
        return new Completion(before.length(), List.of(), WARMING_UP);
    }

    /** Public methods of {@code type} (static ones or instance ones) as JShell offers them: {@code name(}, or {@code name()} when no overload takes arguments. */
    private static List<String> methods(Class<?> type, boolean statics, String prefix) {
        java.util.Map<String, Boolean> takesArgs = new java.util.TreeMap<>();
        for (java.lang.reflect.Method m : type.getMethods()) {
            if (m.getDeclaringClass() == Object.class || java.lang.reflect.Modifier.isStatic(m.getModifiers()) != statics
                    || !m.getName().startsWith(prefix)) {
                continue;
            }
            takesArgs.merge(m.getName(), m.getParameterCount() > 0, Boolean::logicalOr);
        }
        List<String> out = new ArrayList<>();
        takesArgs.forEach((name, args) -> out.add(name + (args ? "(" : "()")));
        return out;
    }
}

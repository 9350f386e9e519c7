package dev.sluice.tier;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** How numbers, sizes, times and durations read to people in every front end. */
public final class Format {
    /** Local time to the second, with the zone's short name: what a person compares with the clock on the wall. */
    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT);

    private Format() {
    }

    /** An instant in the local time zone, to the second: {@code 2026-11-21 10:15:30 CET}. */
    public static String time(Instant t) {
        return LOCAL_TIME.format(t.atZone(ZoneId.systemDefault()));
    }

    /**
     * A time as Sluice stores it (ISO-8601 in UTC, to the nanosecond: history rows, manifests, journals, locks) shown as
     * {@link #time(Instant)}; text that is not such a time is shown as it is, and null as {@code ?}.
     */
    public static String time(String stored) {
        if (stored == null) {
            return "?";
        }
        try {
            return time(Instant.parse(stored.strip()));
        } catch (DateTimeParseException e) {
            try {
                return time(OffsetDateTime.parse(stored.strip()).toInstant());
            } catch (DateTimeParseException notOne) {
                return stored;
            }
        }
    }

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[i]);
    }

    /** A duration for people: {@code 850 ms}, {@code 1.2 s}, {@code 3 min 4 s}, {@code 2 h 5 min}. */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 59_950) { // 59.96 s would read "60.0 s"
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = Math.max(60, Math.round(ms / 1000.0));
        if (s < 3600) {
            return s % 60 == 0 ? s / 60 + " min" : String.format(Locale.ROOT, "%d min %d s", s / 60, s % 60);
        }
        long min = (s % 3600) / 60;
        return min == 0 ? s / 3600 + " h" : String.format(Locale.ROOT, "%d h %d min", s / 3600, min);
    }

    public static String nanos(long nanos) {
        return duration(Duration.ofNanos(nanos));
    }

    /**
     * True when the process talks to a terminal, so progress bars and prompts make sense. On JDK 22+ System.console()
     * exists even when output is redirected; there {@code Console.isTerminal()} tells.
     */
    public static boolean onTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK < 22: a console exists only on a terminal
        }
    }
}

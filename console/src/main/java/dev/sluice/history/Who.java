package dev.sluice.history;

import java.net.InetAddress;

/** The user, host and process recorded with history rows and locks. */
public record Who(String user, String host, long pid) {
    public static Who current() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = System.getenv().getOrDefault("HOSTNAME", "unknown");
        }
        return new Who(System.getProperty("user.name", "unknown"), host, ProcessHandle.current().pid());
    }

    @Override
    public String toString() {
        return user + "@" + host + " (pid " + pid + ")";
    }
}

package io.gantry.agent.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The unprivileged user tasks run as when the agent runs as root: raw tasks through setpriv(1), runc tasks through
 * {@code process.user} of their config.json. An agent that is not root has nothing to drop: its tasks run as its own
 * user, which is then all the isolation there is between them and the agent's state.
 *
 * @param uid never 0
 * @param gid the user's primary group
 */
public record TaskUser(String name, int uid, int gid) {

    public TaskUser {
        if (uid == 0) {
            throw new IllegalArgumentException("the task user must not be root (uid 0), got '" + name + "'");
        }
    }

    /**
     * The user tasks run as, resolved once at start.
     *
     * @param spec a user name or {@code uid[:gid]}
     * @return empty when the agent does not run as root (tasks then run as the agent's user)
     * @throws IllegalArgumentException when the user does not exist or is root
     */
    public static Optional<TaskUser> forAgent(String spec) {
        if (agentUid() != 0) {
            return Optional.empty();
        }
        return Optional.of(resolve(spec));
    }

    static TaskUser resolve(String spec) {
        if (spec.matches("\\d+(:\\d+)?")) {
            String[] ids = spec.split(":");
            int uid = Integer.parseInt(ids[0]);
            return new TaskUser(spec, uid, ids.length > 1 ? Integer.parseInt(ids[1]) : uid);
        }
        if (!spec.matches("[A-Za-z_][A-Za-z0-9_.-]*\\$?")) {
            throw new IllegalArgumentException("task user '" + spec + "' is not a user name nor uid[:gid]");
        }
        return new TaskUser(spec, id("-u", spec), id("-g", spec));
    }

    /** The agent's effective uid, from /proc/self/status (proc(5): "Uid: real effective saved fs"); -1 when unknown. */
    public static int agentUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through to the JVM's idea of the user
        }
        return "root".equals(System.getProperty("user.name")) ? 0 : -1;
    }

    private static int id(String flag, String user) {
        try {
            Process p = new ProcessBuilder("id", flag, user).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.matches("\\d+")) {
                throw new IllegalArgumentException("task user '" + user + "' does not exist on this host");
            }
            return Integer.parseInt(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot look up task user '" + user + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("interrupted while looking up task user '" + user + "'", e);
        }
    }

    /** setpriv(1) arguments that make the command after them run as this user, with no supplementary group. */
    List<String> setprivArgs() {
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
    }
}

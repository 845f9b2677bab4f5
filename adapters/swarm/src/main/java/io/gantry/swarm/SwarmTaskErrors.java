package io.gantry.swarm;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A task's {@code Status.Err} -> the short reason an instance carries ({@link io.gantry.spi.Instance#reason}).
 * Ordered rules, first match wins; the whole text stays the instance's message. The wordings are
 * dockerd's and swarmkit's own (daemon/cluster/executor/container, manager/scheduler), as captured in
 * {@code testdata/fixtures/swarm}.
 */
final class SwarmTaskErrors {
    /** One rule: Swarm's error text -> reason ({@code $1} is the first group). */
    record Rule(String name, Pattern err, String reason) {
        /** The reason when this rule matches {@code text}, else {@code null}. */
        String reasonOf(String text) {
            Matcher m = err.matcher(text);
            if (!m.find()) {
                return null;
            }
            return m.groupCount() > 0 ? reason.replace("$1", m.group(1)) : reason;
        }
    }

    private static final List<Rule> RULES = List.of(
            new Rule("image missing", Pattern.compile("^No such image:"), "No such image"),
            new Rule("not schedulable", Pattern.compile("^no suitable node\\b"), "no suitable node"),
            // before the exit rule: Swarm kills an unhealthy container, "task: non-zero exit (137): dockerexec: unhealthy container"
            new Rule("health check", Pattern.compile("unhealthy container"), "unhealthy"),
            new Rule("non-zero exit", Pattern.compile("^task: non-zero exit \\((\\d+)\\)"), "exit $1"),
            new Rule("container start", Pattern.compile("^starting container failed:"), "starting container failed"));

    private SwarmTaskErrors() {
    }

    /**
     * The reason for {@code err}: a rule's, else its first clause (the text before a colon, past the executor's
     * {@code task: } prefix); empty for no error.
     */
    static String reason(String err) {
        if (err == null || err.isBlank()) {
            return "";
        }
        for (Rule rule : RULES) {
            String reason = rule.reasonOf(err);
            if (reason != null) {
                return reason;
            }
        }
        String text = err.startsWith("task: ") ? err.substring("task: ".length()) : err;
        int colon = text.indexOf(':');
        return (colon > 0 ? text.substring(0, colon) : text).trim();
    }
}

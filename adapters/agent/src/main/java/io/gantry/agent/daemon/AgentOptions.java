package io.gantry.agent.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to run an agent.
 *
 * @param listen        gRPC address
 * @param token         shared secret every call must present
 * @param dataDir       state, logs, images and bundles
 * @param metricsListen Prometheus endpoint address, or null for none
 * @param tlsCert       PEM certificate chain; with {@code tlsKey} turns TLS on
 * @param tlsKey        PEM private key (PKCS#8)
 * @param tlsCa         PEM CA whose client certificates are accepted (optional)
 * @param advertiseHost host in task addresses; the listen host unless that is a wildcard
 * @param nodeName      name reported by Node.Info
 * @param labels        node labels reported by Node.Info
 * @param stopGrace     time between SIGTERM and SIGKILL
 * @param maxLogBytes   size of a task's log file before it is rotated
 * @param allowRaw      whether the {@code raw} runtime (a host process, like Nomad's raw_exec) is offered: whoever
 *                      may deploy to this agent may then run any command on the host as {@code taskUser}
 * @param taskUser      user (name or {@code uid[:gid]}) that tasks run as when the agent runs as root; never root.
 *                      Ignored when the agent is not root: tasks then run as the agent's own user
 * @param taskDir       where tasks get their working directories, outside the data dir; {@code null} for
 *                      {@code <java.io.tmpdir>/gantry-tasks-<uid>/<digest of the data dir>}
 */
public record AgentOptions(InetSocketAddress listen, String token, Path dataDir, InetSocketAddress metricsListen,
                           Path tlsCert, Path tlsKey, Path tlsCa, String advertiseHost, String nodeName,
                           Map<String, String> labels, Duration stopGrace, long maxLogBytes, boolean allowRaw,
                           String taskUser, Path taskDir) {
    /** The task user when none is named: what Nomad, Docker's userns-remap and most daemons fall back to. */
    public static final String DEFAULT_TASK_USER = "nobody";

    static final String USAGE = """
            usage: java -jar gantry-agent.jar --listen HOST:PORT --token TOKEN --data-dir DIR
                   [--metrics-listen HOST:PORT] [--tls-cert PEM --tls-key PEM [--tls-ca PEM]]
                   [--advertise-host HOST] [--node-name NAME] [--label K=V]... [--stop-grace-seconds N]
                   [--log-max-bytes N] [--allow-raw-runtime] [--task-user USER] [--task-dir DIR]
              --allow-raw-runtime offers the raw runtime (host processes): off by default, as whoever may
              deploy to the agent may then run any command on the host
              --task-user: tasks of an agent running as root run as this user (default nobody)
              --task-dir: where tasks get their working directories (default <tmp>/gantry-tasks-<uid>/...)
              --token may be replaced by --token-file FILE or the GANTRY_AGENT_TOKEN variable
              (a token on the command line is visible to every local user in ps)""";

    public AgentOptions {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        stopGrace = stopGrace == null ? Duration.ofSeconds(5) : stopGrace;
        maxLogBytes = maxLogBytes <= 0 ? 10L * 1024 * 1024 : maxLogBytes;
        if (advertiseHost == null || advertiseHost.isBlank()) {
            String host = listen.getHostString();
            advertiseHost = host.equals("0.0.0.0") || host.equals("::") ? hostName() : host;
        }
        nodeName = nodeName == null || nodeName.isBlank() ? hostName() : nodeName;
        taskUser = taskUser == null || taskUser.isBlank() ? DEFAULT_TASK_USER : taskUser;
    }

    /**
     * An agent on loopback with the given port (0: any free one), no metrics endpoint, the raw runtime offered
     * (as for the embedded agent of whoever started the server) and the default task user and directory.
     */
    public static AgentOptions loopback(int port, String token, Path dataDir) {
        return new AgentOptions(new InetSocketAddress("127.0.0.1", port), token, dataDir, null, null, null, null, null,
                null, null, null, 0, true, null, null);
    }

    /** These options with the raw runtime offered or not. */
    public AgentOptions withRaw(boolean allow) {
        return new AgentOptions(listen, token, dataDir, metricsListen, tlsCert, tlsKey, tlsCa, advertiseHost, nodeName,
                labels, stopGrace, maxLogBytes, allow, taskUser, taskDir);
    }

    /** These options with another task user and task directory ({@code null}: the defaults). */
    public AgentOptions withTasks(String user, Path dir) {
        return new AgentOptions(listen, token, dataDir, metricsListen, tlsCert, tlsKey, tlsCa, advertiseHost, nodeName,
                labels, stopGrace, maxLogBytes, allowRaw, user, dir);
    }

    public boolean tls() {
        return tlsCert != null;
    }

    /** @throws IllegalArgumentException with a message for the user */
    public static AgentOptions parse(String[] args) {
        Map<String, String> single = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        boolean allowRaw = false;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--allow-raw-runtime")) {
                allowRaw = true;
                continue;
            }
            if (!name.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("unexpected argument '" + name + "'");
            }
            String value = args[++i];
            if (name.equals("--label")) {
                int eq = value.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("--label needs KEY=VALUE, got '" + value + "'");
                }
                labels.put(value.substring(0, eq), value.substring(eq + 1));
            } else {
                single.put(name.substring(2), value);
            }
        }
        String token = single.remove("token");
        String tokenFile = single.remove("token-file");
        if (token == null && tokenFile != null) {
            try {
                token = Files.readString(Path.of(tokenFile)).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read --token-file " + tokenFile, e);
            }
        }
        if (token == null) {
            token = System.getenv("GANTRY_AGENT_TOKEN");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a token is required (--token, --token-file or GANTRY_AGENT_TOKEN)");
        }
        String dataDir = single.remove("data-dir");
        if (dataDir == null) {
            throw new IllegalArgumentException("--data-dir is required");
        }
        InetSocketAddress listen = address("listen", single.getOrDefault("listen", "127.0.0.1:7443"));
        single.remove("listen");
        String metrics = single.remove("metrics-listen");
        String cert = single.remove("tls-cert");
        String key = single.remove("tls-key");
        String ca = single.remove("tls-ca");
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        String grace = single.remove("stop-grace-seconds");
        String logMax = single.remove("log-max-bytes");
        String taskDir = single.remove("task-dir");
        AgentOptions options = new AgentOptions(listen, token, Path.of(dataDir).toAbsolutePath(),
                metrics == null ? null : address("metrics-listen", metrics),
                cert == null ? null : Path.of(cert), key == null ? null : Path.of(key), ca == null ? null : Path.of(ca),
                single.remove("advertise-host"), single.remove("node-name"), labels,
                grace == null ? null : Duration.ofSeconds(Long.parseLong(grace)),
                logMax == null ? 0 : Long.parseLong(logMax), allowRaw, single.remove("task-user"),
                taskDir == null ? null : Path.of(taskDir).toAbsolutePath());
        if (!single.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", single.keySet()));
        }
        return options;
    }

    private static InetSocketAddress address(String option, String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("--" + option + " needs HOST:PORT, got '" + value + "'");
        }
        return new InetSocketAddress(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public String toString() {
        // the token is deliberately left out
        return "AgentOptions[listen=" + listen + ", dataDir=" + dataDir + ", metricsListen=" + metricsListen
                + ", tls=" + tls() + ", allowRaw=" + allowRaw + ", taskUser=" + taskUser + ", taskDir=" + taskDir + "]";
    }
}

package io.gantry.marathon;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The {@code GET /v2/apps} answer of a big Marathon (issue 22 measured one of 100,000 apps: 194 MB), generated while
 * it is written so that the test server holds none of it. Each app is a running Docker app with one healthy task and
 * the embeds Gantry asks for, about 1.9 KB, as Marathon 1.x writes them. The writer can trickle (pause every so many
 * apps) or stall (stop sending after some apps, keeping the connection open).
 */
final class GeneratedApps implements MarathonTestServer.AppListBody {
    private static final String APP = """
            {"id":"/gen/group-@g@/app-@i@","backoffFactor":1.15,"backoffSeconds":1,"cmd":null,"args":null,\
            "container":{"type":"DOCKER","docker":{"forcePullImage":false,"image":"nginx:1.27","parameters":[],\
            "privileged":false},"volumes":[],"portMappings":[{"containerPort":80,"hostPort":0,"labels":{},\
            "protocol":"tcp","servicePort":@sp@}]},"cpus":0.1,"disk":0,"env":{"APP_INDEX":"@i@","MODE":"bench"},\
            "executor":"","constraints":[],"fetch":[],"healthChecks":[{"gracePeriodSeconds":300,\
            "ignoreHttp1xx":false,"intervalSeconds":60,"maxConsecutiveFailures":3,"path":"/","portIndex":0,\
            "protocol":"MESOS_HTTP","ipProtocol":"IPv4","timeoutSeconds":20,"delaySeconds":15}],"instances":1,\
            "labels":{"team":"team-@g@","bench":"yes","HAPROXY_GROUP":"external"},"maxLaunchDelaySeconds":300,\
            "mem":64,"gpus":0,"networks":[{"mode":"container/bridge"}],"requirePorts":false,\
            "upgradeStrategy":{"maximumOverCapacity":1,"minimumHealthCapacity":1},\
            "version":"2026-11-30T10:15:00.000Z","versionInfo":{"lastScalingAt":"2026-11-30T10:15:00.000Z",\
            "lastConfigChangeAt":"2026-11-30T10:15:00.000Z"},"killSelection":"YOUNGEST_FIRST",\
            "unreachableStrategy":{"inactiveAfterSeconds":0,"expungeAfterSeconds":0},"tasksStaged":0,\
            "tasksRunning":1,"tasksHealthy":1,"tasksUnhealthy":0,"deployments":[],"tasks":[{"ipAddresses":\
            [{"ipAddress":"172.17.0.@ip@","protocol":"IPv4"}],"stagedAt":"2026-11-30T10:15:01.000Z",\
            "state":"TASK_RUNNING","ports":[@port@],"startedAt":"2026-11-30T10:15:03.000Z",\
            "version":"2026-11-30T10:15:00.000Z","id":"gen_group-@g@_app-@i@.instance-0b1c2d3e-@i8@._app.1",\
            "appId":"/gen/group-@g@/app-@i@","slaveId":"agent-@agent@","host":"node-@agent@",\
            "healthCheckResults":[{"alive":true,"consecutiveFailures":0,"firstSuccess":"2026-11-30T10:15:05.000Z",\
            "lastFailure":null,"lastSuccess":"2026-11-30T10:16:05.000Z","lastFailureCause":null,\
            "instanceId":"gen_group-@g@_app-@i@.marathon-0b1c2d3e-@i8@"}]}]}""";

    private final int count;
    private volatile int pauseEvery;
    private volatile Duration pause = Duration.ZERO;
    private volatile int stallAfter = -1;
    private volatile boolean finished;
    private volatile long stalledAt;

    GeneratedApps(int count) {
        this.count = count;
    }

    /** Pauses for {@code pause} after every {@code every} apps, having sent what it wrote. */
    GeneratedApps trickle(int every, Duration pause) {
        this.pauseEvery = every;
        this.pause = pause;
        return this;
    }

    /** Stops sending after {@code apps} apps (the connection stays open, the body unfinished). */
    GeneratedApps stallAfter(int apps) {
        this.stallAfter = apps;
        return this;
    }

    /** When ({@link System#nanoTime()}) it stopped sending, after {@link #stallAfter}; 0 before. */
    long stalledAt() {
        return stalledAt;
    }

    /** Whether the whole body was written. */
    boolean finished() {
        return finished;
    }

    /** {@link #APP} cut at its placeholders: literal, name, literal, name... (String.format is too slow here). */
    private static final String[] PARTS = APP.split("@");

    static String app(int index) {
        StringBuilder out = new StringBuilder(2048);
        for (int p = 0; p < PARTS.length; p++) {
            if (p % 2 == 0) {
                out.append(PARTS[p]);
                continue;
            }
            switch (PARTS[p]) {
                case "g" -> out.append(index / 1000);
                case "i" -> out.append(index);
                case "i8" -> out.append("00000000", 0, 8 - Math.min(8, Integer.toString(index).length())).append(index);
                case "sp" -> out.append(10000 + index % 50000);
                case "ip" -> out.append(2 + index % 250);
                case "port" -> out.append(31000 + index % 1000);
                case "agent" -> out.append(index % 3);
                default -> throw new IllegalStateException("no placeholder " + PARTS[p]);
            }
        }
        return out.toString();
    }

    @Override
    public void write(OutputStream raw) throws IOException, InterruptedException {
        OutputStream out = new BufferedOutputStream(raw, 64 * 1024);
        out.write("{\"apps\":[".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < count; i++) {
            if (i == stallAfter) {
                out.flush();
                stalledAt = System.nanoTime();
                // silent, not closed: the client must notice by itself (ended by the server's close)
                Thread.sleep(Duration.ofSeconds(60).toMillis());
                return;
            }
            if (i > 0) {
                out.write(',');
            }
            out.write(app(i).getBytes(StandardCharsets.UTF_8));
            if (pauseEvery > 0 && (i + 1) % pauseEvery == 0) {
                out.flush();
                Thread.sleep(pause.toMillis());
            }
        }
        out.write("]}".getBytes(StandardCharsets.UTF_8));
        out.flush();
        finished = true;
    }
}

package io.gantry.agent.metrics;

import com.sun.net.httpserver.HttpServer;
import io.gantry.agent.api.v1.TaskMetrics;
import io.gantry.agent.exec.ExecSessions;
import io.gantry.agent.task.TaskSupervisor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * Prometheus text exposition (format 0.0.4) on {@code GET /metrics}, in containerd's spirit: per task
 * CPU seconds, memory bytes and restarts, the start latency per runtime, and the exec sessions open.
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;
    private final TaskSupervisor tasks;
    private final ExecSessions execs;

    public MetricsServer(InetSocketAddress address, TaskSupervisor tasks, ExecSessions execs) throws IOException {
        this.tasks = tasks;
        this.execs = execs;
        this.server = HttpServer.create(address, 0);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "agent-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", exchange -> {
            byte[] body = render().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    String render() {
        List<TaskMetrics> metrics = tasks.metrics(null, List.of());
        StringBuilder out = new StringBuilder();
        out.append("# HELP gantry_agent_task_cpu_seconds_total CPU time used by a task's processes.\n")
                .append("# TYPE gantry_agent_task_cpu_seconds_total counter\n");
        metrics.forEach(m -> sample(out, "gantry_agent_task_cpu_seconds_total", m, LatencyHistogram.format(m.getCpuSeconds())));
        out.append("# HELP gantry_agent_task_memory_bytes Resident memory of a task's processes.\n")
                .append("# TYPE gantry_agent_task_memory_bytes gauge\n");
        metrics.forEach(m -> sample(out, "gantry_agent_task_memory_bytes", m, Long.toString(m.getMemoryBytes())));
        out.append("# HELP gantry_agent_task_restarts_total Times the agent restarted a task after it exited.\n")
                .append("# TYPE gantry_agent_task_restarts_total counter\n");
        metrics.forEach(m -> sample(out, "gantry_agent_task_restarts_total", m, Integer.toString(m.getRestarts())));
        out.append("# HELP gantry_agent_tasks_running Tasks whose process runs.\n")
                .append("# TYPE gantry_agent_tasks_running gauge\n")
                .append("gantry_agent_tasks_running ").append(tasks.runningTasks()).append('\n');
        out.append("# HELP gantry_agent_exec_sessions_open Exec sessions (consoles, commands) running in tasks now.\n")
                .append("# TYPE gantry_agent_exec_sessions_open gauge\n")
                .append("gantry_agent_exec_sessions_open ").append(execs.openSessions()).append('\n');
        out.append("# HELP gantry_agent_task_start_latency_seconds Time from a start request to the task's process running.\n")
                .append("# TYPE gantry_agent_task_start_latency_seconds histogram\n");
        Map<String, LatencyHistogram> byRuntime = new TreeMap<>(tasks.startLatency());
        byRuntime.forEach((runtime, histogram) ->
                histogram.write(out, "gantry_agent_task_start_latency_seconds", "runtime=\"" + runtime + "\""));
        return out.toString();
    }

    private static void sample(StringBuilder out, String name, TaskMetrics m, String value) {
        out.append(name).append("{namespace=\"").append(m.getNamespace()).append("\",container=\"")
                .append(m.getContainerId()).append("\",task=\"").append(m.getTaskId()).append("\"} ")
                .append(value).append('\n');
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

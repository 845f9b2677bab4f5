package io.gantry.marathon;

import static io.gantry.spi.json.Json.text;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import io.gantry.spi.exec.ExecRequest;
import io.gantry.spi.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The agent operator API v1 messages of a nested-container session, in Mesos' JSON form (protobuf JSON mapping of
 * {@code mesos.v1.agent.Call}: bytes are base64, enums by name), as {@code docs/operator-http-api.md} shows them
 * and the Mesos CLI's {@code task exec} sends them. The only class that reads or writes these messages.
 */
final class MesosCalls {
    /** How often the Mesos CLI sends input heartbeats (and the interval it announces in them). */
    static final Duration HEARTBEAT = Duration.ofSeconds(30);

    /** A chunk of a container's output. */
    record Output(byte[] data, boolean stderr) {
    }

    private MesosCalls() {
    }

    /** A new nested container's id under {@code parent} (the task's container, as the master reports it). */
    static ObjectNode nestedContainerId(JsonNode parent, String value) {
        ObjectNode id = Json.MAPPER.createObjectNode().put("value", value);
        id.set("parent", parent.deepCopy());
        return id;
    }

    /**
     * {@code LAUNCH_NESTED_CONTAINER_SESSION}: argv as given ({@code shell: false}, {@code arguments} holding
     * argv[0] too, as execvp wants); with a tty, a MESOS container with {@code tty_info} of the asked size.
     */
    static ObjectNode launchSession(ObjectNode containerId, ExecRequest request) {
        ObjectNode call = call("LAUNCH_NESTED_CONTAINER_SESSION");
        ObjectNode launch = call.putObject("launch_nested_container_session");
        launch.set("container_id", containerId);
        ObjectNode command = launch.putObject("command").put("shell", false).put("value", request.command().get(0));
        ArrayNode arguments = command.putArray("arguments");
        request.command().forEach(arguments::add);
        if (request.tty()) {
            launch.putObject("container").put("type", "MESOS").putObject("tty_info")
                    .set("window_size", windowSize(request.cols(), request.rows()));
        }
        return call;
    }

    /** The first message of an {@code ATTACH_CONTAINER_INPUT} stream: which container it feeds. */
    static ObjectNode attachInput(ObjectNode containerId) {
        ObjectNode call = call("ATTACH_CONTAINER_INPUT");
        call.putObject("attach_container_input").put("type", "CONTAINER_ID").set("container_id", containerId);
        return call;
    }

    /** Stdin bytes; an empty one is EOF (without a tty; a tty wants EOT instead). */
    static ObjectNode stdin(byte[] data) {
        ObjectNode io = processIo("DATA");
        io.putObject("data").put("type", "STDIN").put("data", Base64.getEncoder().encodeToString(data));
        return wrap(io);
    }

    /** A terminal size change: the switchboard sets it on the pty, so the command gets SIGWINCH. */
    static ObjectNode resize(int cols, int rows) {
        ObjectNode io = processIo("CONTROL");
        io.putObject("control").put("type", "TTY_INFO").putObject("tty_info")
                .set("window_size", windowSize(cols, rows));
        return wrap(io);
    }

    /** A keep-alive on the input stream, announcing when the next one comes (the agent ignores it). */
    static ObjectNode heartbeat(Duration interval) {
        ObjectNode io = processIo("CONTROL");
        io.putObject("control").put("type", "HEARTBEAT").putObject("heartbeat").putObject("interval")
                .put("nanoseconds", interval.toNanos());
        return wrap(io);
    }

    static ObjectNode waitNested(ObjectNode containerId) {
        ObjectNode call = call("WAIT_NESTED_CONTAINER");
        call.putObject("wait_nested_container").set("container_id", containerId);
        return call;
    }

    /** Without a signal the agent sends SIGKILL (agent.proto, {@code KillNestedContainer}). */
    static ObjectNode killNested(ObjectNode containerId) {
        ObjectNode call = call("KILL_NESTED_CONTAINER");
        call.putObject("kill_nested_container").set("container_id", containerId);
        return call;
    }

    /**
     * A {@code ProcessIO} message of a session's output: its data, or {@code null} for a control message (the
     * agent's heartbeats) and for data of no output stream.
     */
    static Output output(JsonNode processIo) {
        if (!"DATA".equals(text(processIo, "type"))) {
            return null;
        }
        JsonNode data = processIo.path("data");
        String stream = text(data, "type");
        if (!"STDOUT".equals(stream) && !"STDERR".equals(stream)) {
            return null;
        }
        String base64 = text(data, "data");
        return new Output(base64 == null ? new byte[0] : Base64.getDecoder().decode(base64), "STDERR".equals(stream));
    }

    /**
     * The exit code of a {@code WAIT_NESTED_CONTAINER} answer, as a shell reports it, or {@code null} when the agent
     * gives no status (a container it destroyed before its process ran). {@code exit_status} is what wait(2)
     * returned: WIFEXITED gives WEXITSTATUS, WIFSIGNALED gives 128 + WTERMSIG (as the Mesos CLI decodes it).
     */
    static Integer exitCode(JsonNode waitAnswer) {
        JsonNode status = waitAnswer.path("wait_nested_container").path("exit_status");
        if (!status.isNumber()) {
            return null;
        }
        return exitCode(status.asInt());
    }

    static int exitCode(int waitStatus) {
        int signal = waitStatus & 0x7f;
        return signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
    }

    /** Why the agent ended a container, when it says (a {@code WAIT_NESTED_CONTAINER} answer's message/reason). */
    static String endReason(JsonNode waitAnswer) {
        JsonNode wait = waitAnswer.path("wait_nested_container");
        String message = text(wait, "message");
        return message != null ? message : text(wait, "reason", "no reason given");
    }

    static byte[] bytes(JsonNode message) {
        return message.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode call(String type) {
        return Json.MAPPER.createObjectNode().put("type", type);
    }

    private static ObjectNode processIo(String type) {
        return Json.MAPPER.createObjectNode().put("type", type);
    }

    private static ObjectNode wrap(ObjectNode processIo) {
        ObjectNode call = call("ATTACH_CONTAINER_INPUT");
        call.putObject("attach_container_input").put("type", "PROCESS_IO").set("process_io", processIo);
        return call;
    }

    private static ObjectNode windowSize(int cols, int rows) {
        return Json.MAPPER.createObjectNode().put("rows", rows).put("columns", cols);
    }
}

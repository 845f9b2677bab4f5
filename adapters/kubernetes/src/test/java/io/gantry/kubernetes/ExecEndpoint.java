package io.gantry.kubernetes;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code pods/{name}/exec} on the {@link ApiServerFront}: refused where the API server refuses it (the front's
 * forbidden resources and canned answers, a pod the mock does not have, one that is not Running per the
 * {@link TestController}, a container the pod does not have, no channel protocol in common), else upgraded to a
 * WebSocket and run by {@link PodExecEmulator}. The protocol is chosen as k8s.io/apiserver's wsstream does: the
 * first the client offers that this server speaks.
 */
final class ExecEndpoint implements FrontDoor.Upgrades {
    private static final Pattern EXEC_PATH = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)/exec$");

    /** A refusal to write instead of the upgrade: the HTTP status and its Status body. */
    record Answer(int code, String json) {
    }

    private final URI mock;
    private final HttpClient http;
    private final Function<FrontDoor.RequestHead, Answer> refusals;
    private volatile List<String> protocols = List.of(ExecChannels.V5, ExecChannels.V4);
    private volatile Duration stall = Duration.ZERO;

    ExecEndpoint(URI mock, HttpClient http, Function<FrontDoor.RequestHead, Answer> refusals) {
        this.mock = mock;
        this.http = http;
        this.refusals = refusals;
    }

    /** The channel protocols this API server speaks: an older one speaks only {@link ExecChannels#V4}. */
    void speak(List<String> supported) {
        protocols = List.copyOf(supported);
    }

    /** Upgrades wait this long before they are answered: an API server (or kubelet) that hangs on exec. */
    void stallFor(Duration delay) {
        stall = delay;
    }

    @Override
    public void serve(FrontDoor.RequestHead head, Socket socket, InputStream in) throws IOException {
        OutputStream out = socket.getOutputStream();
        try {
            Thread.sleep(stall.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Matcher path = EXEC_PATH.matcher(head.path());
        if (!path.matches() || !"GET".equals(head.method())) {
            refuse(out, new Answer(404, ApiServerFront.status(404, "NotFound", "the server could not find the requested resource")));
            return;
        }
        Answer refusal = refusals.apply(head);
        if (refusal != null) {
            refuse(out, refusal);
            return;
        }
        String namespace = path.group(1);
        String pod = path.group(2);
        JsonObject found = pod(namespace, pod);
        List<String> command = params(head.query(), "command");
        List<String> containers = params(head.query(), "container");
        String container = containers.isEmpty() ? null : containers.get(0);
        Answer problem = found == null
                ? new Answer(404, ApiServerFront.status(404, "NotFound", "pods \"" + pod + "\" not found"))
                : notRunnable(found, pod, container, command);
        if (problem != null) {
            refuse(out, problem);
            return;
        }
        String offered = head.headers().getOrDefault("sec-websocket-protocol", "");
        String chosen = Arrays.stream(offered.split(",")).map(String::trim).filter(protocols::contains).findFirst().orElse(null);
        if (chosen == null) {
            refuse(out, new Answer(400, ApiServerFront.status(400, "BadRequest",
                    "unable to upgrade connection: none of the offered protocols " + offered + " is supported")));
            return;
        }
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + WebSocketFrames.accept(head.headers().getOrDefault("sec-websocket-key", ""))
                + "\r\nSec-WebSocket-Protocol: " + chosen + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        PodExecEmulator.run(new WebSocketFrames(in, out), chosen, command, params(head.query(), "tty").contains("true"), pod);
    }

    /** The pod as the mock has it, or {@code null} when it has none of that name. */
    private JsonObject pod(String namespace, String pod) throws IOException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            mock.resolve("/api/v1/namespaces/" + namespace + "/pods/" + pod)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 404 ? null : JsonParser.parseString(response.body()).getAsJsonObject();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The API server's refusals of an exec in an existing pod (pkg/registry/core/pod, the kubelet's "not running"). */
    private static Answer notRunnable(JsonObject pod, String name, String container, List<String> command) {
        if (command.isEmpty()) {
            return new Answer(400, ApiServerFront.status(400, "BadRequest", "you must specify at least 1 command"));
        }
        List<String> names = new ArrayList<>();
        for (JsonElement c : pod.getAsJsonObject("spec").getAsJsonArray("containers")) {
            names.add(c.getAsJsonObject().get("name").getAsString());
        }
        if (container != null && !names.contains(container)) {
            return new Answer(400, ApiServerFront.status(400, "BadRequest",
                    "container " + container + " is not valid for pod " + name));
        }
        JsonObject status = pod.getAsJsonObject("status");
        String phase = status == null || !status.has("phase") ? "Pending" : status.get("phase").getAsString();
        if (!"Running".equals(phase)) {
            return new Answer(400, ApiServerFront.status(400, "BadRequest",
                    "unable to upgrade connection: container not found (\"" + (container == null ? names.get(0) : container)
                            + "\") in pod " + name + " (phase " + phase + ")"));
        }
        return null;
    }

    private static List<String> params(String query, String name) {
        List<String> values = new ArrayList<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                values.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static void refuse(OutputStream out, Answer answer) throws IOException {
        byte[] body = answer.json().getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + answer.code() + " Refused\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }
}

package io.gantry.kubernetes;

import com.google.gson.JsonParseException;
import io.gantry.spi.EngineException;
import io.gantry.spi.EngineMessages;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.InvalidSpecException;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.openapi.models.V1StatusCause;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The channel protocol of {@code pods/exec} over a WebSocket (KEP-4006, "Transition from SPDY to WebSockets";
 * k8s.io/apimachinery/pkg/util/remotecommand/constants.go): every binary message starts with the byte of its
 * channel. {@code v4.channel.k8s.io} has stdin, stdout, stderr, the error channel (a {@code metav1.Status} when the
 * command ends) and resize ({@code {"Width":W,"Height":H}}); {@code v5.channel.k8s.io} adds {@value #CLOSE}: a
 * message {@code [255, channel]} ends that stream, which is how stdin gets its EOF without ending the session.
 */
final class ExecChannels {
    static final String V5 = "v5.channel.k8s.io";
    static final String V4 = "v4.channel.k8s.io";

    static final int STDIN = 0;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int ERROR = 3;
    static final int RESIZE = 4;
    static final int CLOSE = 255;

    /** metav1.Status reason and cause reason of a command that ended with a non-zero code (kubelet's cri/streaming). */
    static final String NON_ZERO_EXIT = "NonZeroExitCode";
    static final String EXIT_CODE = "ExitCode";

    /**
     * How runtimes say the command itself could not start: containerd and runc ("OCI runtime exec failed: exec
     * failed: unable to start container process: exec: \"x\": executable file not found in $PATH"), CRI-O
     * ("exec failed"), a stat of a missing path or a file that may not be run.
     */
    private static final Pattern NOT_STARTED = Pattern.compile(
            "exec failed|executable file not found|no such file or directory|permission denied|not found in \\$path");

    private ExecChannels() {
    }

    /** A message for {@code channel}: its byte, then {@code data}. */
    static byte[] frame(int channel, byte[] data) {
        byte[] frame = new byte[data.length + 1];
        frame[0] = (byte) channel;
        System.arraycopy(data, 0, frame, 1, data.length);
        return frame;
    }

    static byte[] resize(int cols, int rows) {
        return frame(RESIZE, ("{\"Width\":" + cols + ",\"Height\":" + rows + "}").getBytes(StandardCharsets.US_ASCII));
    }

    /** v5 only: ends stdin. */
    static byte[] closeStdin() {
        return new byte[] {(byte) CLOSE, STDIN};
    }

    /** What the error channel said, once the command ended. */
    sealed interface Outcome {
    }

    record Exited(int code) implements Outcome {
    }

    record Failed(EngineException failure) implements Outcome {
    }

    /**
     * The error channel's Status: {@code Success} is exit code 0; {@code Failure} with {@value #NON_ZERO_EXIT} carries
     * the code in its {@value #EXIT_CODE} cause; any other failure is the runtime's, and when it says the command could
     * not start, that names {@code command}.
     *
     * @param json    the channel's payload
     * @param command argv[0], for the message
     * @param pod     the pod's name, for the message
     */
    static Outcome outcome(String json, String command, String pod) {
        V1Status status = statusOf(json);
        if (status == null || status.getStatus() == null) {
            // older kubelets wrote the error as plain text on this channel (v1 to v3); v4 and v5 always write a Status
            return failure(json, command, pod);
        }
        if ("Success".equals(status.getStatus())) {
            return new Exited(0);
        }
        if (NON_ZERO_EXIT.equals(status.getReason()) && status.getDetails() != null && status.getDetails().getCauses() != null) {
            for (V1StatusCause cause : status.getDetails().getCauses()) {
                if (EXIT_CODE.equals(cause.getReason()) && cause.getMessage() != null) {
                    try {
                        return new Exited(Integer.parseInt(cause.getMessage().trim()));
                    } catch (NumberFormatException notACode) {
                        break;
                    }
                }
            }
        }
        return failure(status.getMessage(), command, pod);
    }

    /** The kubelet writes the Status without its kind (no {@code TypeMeta}), unlike the API server's own answers. */
    private static V1Status statusOf(String json) {
        try {
            return KubernetesJson.parse(json, V1Status.class);
        } catch (JsonParseException | IllegalStateException notJson) {
            return null;
        }
    }

    private static Outcome failure(String message, String command, String pod) {
        String shown = EngineMessages.sanitize(message);
        if (message != null && NOT_STARTED.matcher(message.toLowerCase(Locale.ROOT)).find()) {
            return new Failed(InvalidSpecException.of("command", "cannot run '" + command + "' in pod " + pod + ": " + shown));
        }
        return new Failed(new EngineUnavailableException("the exec in pod " + pod + " failed: "
                + (shown.isEmpty() ? "no reason given" : shown), null));
    }
}

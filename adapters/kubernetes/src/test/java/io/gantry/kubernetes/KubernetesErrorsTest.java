package io.gantry.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.spi.EngineException;
import io.gantry.spi.EngineMessages;
import io.kubernetes.client.openapi.ApiException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What of a failed answer reaches a message: see {@link EngineMessages}. */
class KubernetesErrorsTest {
    private static final String MARKER = "AKIA-SECRET-MARKER";

    @Test
    void aProxysHtmlPageBecomesTheStatusCodeOnly() {
        String page = "<html><body><h1>Bad gateway</h1>" + (MARKER + " ").repeat(800) + "</body></html>";

        EngineException e = KubernetesErrors.toException(new ApiException(502, Map.of(), page), null);

        assertThat(e.getMessage()).isEqualTo("the API server failed: HTTP 502 from the API server");
    }

    @Test
    void aLongStatusMessageIsCutAndFlattened() {
        String status = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":500,"
                + "\"message\":\"etcd failed\\n\\u001b[31m" + MARKER.repeat(100) + "\"}";

        EngineException e = KubernetesErrors.toException(new ApiException(500, Map.of(), status), null);

        assertThat(e.getMessage()).startsWith("the API server failed: etcd failed ")
                .hasSizeLessThanOrEqualTo("the API server failed: ".length() + EngineMessages.MAX_LENGTH)
                .doesNotContain("\n", "\u001b");
    }
}

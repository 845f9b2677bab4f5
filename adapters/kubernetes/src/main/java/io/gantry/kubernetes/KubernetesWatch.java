package io.gantry.kubernetes;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.util.Watch;
import java.io.IOException;
import java.lang.reflect.Type;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * A watch stream whose lines are read with Gantry's codec ({@link KubernetesJson}): client-java's
 * {@link Watch} parses them with its static codec, which rejects fields newer than the client.
 */
final class KubernetesWatch extends Watch<KubernetesObject> {
    private static final Type STATUS_EVENT = new TypeToken<Response<V1Status>>() { }.getType();

    private final Type eventType;
    private final Call call;

    private KubernetesWatch(ApiClient client, ResponseBody body, Type eventType, Call call) {
        super(client.getJSON(), body, eventType, call);
        this.eventType = eventType;
        this.call = call;
    }

    /** Sends the watch request; an answer other than 2xx is an {@link ApiException} with its code and body. */
    static KubernetesWatch open(ApiClient client, Call call, Class<? extends KubernetesObject> itemType)
            throws ApiException {
        Type eventType = TypeToken.getParameterized(Watch.Response.class, itemType).getType();
        try {
            okhttp3.Response response = call.execute();
            if (!response.isSuccessful()) {
                try (ResponseBody body = response.body()) {
                    throw new ApiException(response.message(), response.code(), response.headers().toMultimap(),
                            body == null ? null : body.string());
                }
            }
            return new KubernetesWatch(client, response.body(), eventType, call);
        } catch (IOException e) {
            throw new ApiException(e);
        }
    }

    @Override
    protected Response<KubernetesObject> parseLine(String line) throws IOException {
        if (!isStatus(line)) {
            return KubernetesJson.gson().fromJson(line, eventType);
        }
        Response<V1Status> status = KubernetesJson.gson().fromJson(line, STATUS_EVENT);
        return new Response<>(status.type, status.object);
    }

    /**
     * Ends the stream from another thread. Unlike {@link #close()} it leaves the response body to the
     * reading thread (okio is not thread-safe): that read then fails, and its owner closes the body.
     */
    void cancel() {
        call.cancel();
    }
}

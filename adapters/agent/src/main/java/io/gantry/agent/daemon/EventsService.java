package io.gantry.agent.daemon;

import io.gantry.agent.api.v1.Event;
import io.gantry.agent.api.v1.EventsGrpc;
import io.gantry.agent.api.v1.ListEventsRequest;
import io.gantry.agent.api.v1.ListEventsResponse;
import io.gantry.agent.api.v1.SubscribeRequest;
import io.gantry.agent.task.EventBus;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicReference;

/** gRPC face of {@link EventBus}. */
final class EventsService extends EventsGrpc.EventsImplBase {
    private final EventBus events;

    EventsService(EventBus events) {
        this.events = events;
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<Event> observer) {
        ServerCallStreamObserver<Event> call = (ServerCallStreamObserver<Event>) observer;
        String namespace = NamespaceInterceptor.current();
        AtomicReference<Runnable> unsubscribe = new AtomicReference<>(() -> { });
        // under the call's lock: no event may overtake the /subscribed marker
        synchronized (call) {
            call.setOnCancelHandler(() -> unsubscribe.get().run());
            unsubscribe.set(events.subscribe(event -> {
                if (namespace != null && !namespace.equals(event.getNamespace())) {
                    return;
                }
                synchronized (call) {
                    try {
                        call.onNext(event);
                    } catch (RuntimeException cancelled) {
                        unsubscribe.get().run();
                    }
                }
            }));
            call.onNext(Event.newBuilder().setTopic("/subscribed").setNamespace(namespace == null ? "" : namespace)
                    .build());
        }
    }

    @Override
    public void list(ListEventsRequest request, StreamObserver<ListEventsResponse> observer) {
        int limit = request.getLimit() <= 0 ? 100 : request.getLimit();
        Calls.answer(observer, () -> ListEventsResponse.newBuilder()
                .addAllEvents(events.recent(NamespaceInterceptor.current(), request.getContainerId(), limit)).build());
    }
}

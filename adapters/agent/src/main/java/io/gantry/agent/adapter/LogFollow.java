package io.gantry.agent.adapter;

import io.gantry.agent.api.v1.LogEntry;
import io.gantry.agent.api.v1.TaskLogsRequest;
import io.gantry.spi.EngineUnavailableException;
import io.gantry.spi.LogLine;
import io.gantry.spi.LogSink;
import io.gantry.spi.Subscription;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Follows the logs of a workload's tasks (those it had when following began), one stream per task. */
final class LogFollow implements Subscription {
    private final List<ClientCallStreamObserver<TaskLogsRequest>> calls = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicInteger open;
    private final LogSink sink;

    LogFollow(AgentStubs stubs, String namespace, List<String> taskIds, int tail, LogSink sink) {
        this.sink = sink;
        this.open = new AtomicInteger(taskIds.size());
        if (taskIds.isEmpty()) {
            end(null);
            return;
        }
        for (String taskId : taskIds) {
            stubs.tasksStreaming(namespace).logs(TaskLogsRequest.newBuilder().setTaskId(taskId)
                    .setTail(Math.max(0, tail)).setFollow(true).build(), new ClientResponseObserver<TaskLogsRequest, LogEntry>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<TaskLogsRequest> call) {
                            calls.add(call);
                        }

                        @Override
                        public void onNext(LogEntry e) {
                            if (!ended.get()) {
                                synchronized (sink) {
                                    sink.onLine(new LogLine(null, e.getTaskId(), e.getStream(), e.getLine()));
                                }
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            end(new EngineUnavailableException("log stream of task " + taskId + " broke: "
                                    + t.getMessage(), t));
                        }

                        @Override
                        public void onCompleted() {
                            if (open.decrementAndGet() == 0) {
                                end(null);
                            }
                        }
                    });
        }
    }

    private void end(Throwable failure) {
        if (ended.compareAndSet(false, true)) {
            calls.forEach(c -> c.cancel("log follow ended", null));
            sink.onEnd(failure);
        }
    }

    @Override
    public void close() {
        end(null);
    }
}

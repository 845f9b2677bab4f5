package io.gantry.agent.daemon;

import io.gantry.agent.api.v1.CreateTaskRequest;
import io.gantry.agent.api.v1.CreateTaskResponse;
import io.gantry.agent.api.v1.DeleteTaskRequest;
import io.gantry.agent.api.v1.DeleteTaskResponse;
import io.gantry.agent.api.v1.ExecTaskRequest;
import io.gantry.agent.api.v1.ExecTaskResponse;
import io.gantry.agent.api.v1.GetTaskRequest;
import io.gantry.agent.api.v1.GetTaskResponse;
import io.gantry.agent.api.v1.KillTaskRequest;
import io.gantry.agent.api.v1.KillTaskResponse;
import io.gantry.agent.api.v1.ListTasksRequest;
import io.gantry.agent.api.v1.ListTasksResponse;
import io.gantry.agent.api.v1.LogEntry;
import io.gantry.agent.api.v1.StartTaskRequest;
import io.gantry.agent.api.v1.StartTaskResponse;
import io.gantry.agent.api.v1.Task;
import io.gantry.agent.api.v1.TaskLogsRequest;
import io.gantry.agent.api.v1.TaskMetricsRequest;
import io.gantry.agent.api.v1.TaskMetricsResponse;
import io.gantry.agent.api.v1.TasksGrpc;
import io.gantry.agent.api.v1.WaitTaskRequest;
import io.gantry.agent.api.v1.WaitTaskResponse;
import io.gantry.agent.exec.ExecSessions;
import io.gantry.agent.task.AgentFailure;
import io.gantry.agent.task.TaskLogs;
import io.gantry.agent.task.TaskSupervisor;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

/** gRPC face of {@link TaskSupervisor}, {@link TaskLogs} and {@link ExecSessions}. */
final class TasksService extends TasksGrpc.TasksImplBase {
    private static final long FOLLOW_POLL_MILLIS = 200;

    private final TaskSupervisor tasks;
    private final TaskLogs logs;
    private final ExecutorService followers;
    private final ExecSessions execs;

    TasksService(TaskSupervisor tasks, TaskLogs logs, ExecutorService followers, ExecSessions execs) {
        this.tasks = tasks;
        this.logs = logs;
        this.followers = followers;
        this.execs = execs;
    }

    @Override
    public void create(CreateTaskRequest request, StreamObserver<CreateTaskResponse> observer) {
        Calls.answer(observer, () -> CreateTaskResponse.newBuilder()
                .setTask(tasks.create(Calls.namespace(), request.getContainerId(), request.getTaskId())).build());
    }

    @Override
    public void start(StartTaskRequest request, StreamObserver<StartTaskResponse> observer) {
        Calls.answer(observer, () -> StartTaskResponse.newBuilder()
                .setTask(tasks.start(Calls.namespace(), request.getTaskId())).build());
    }

    @Override
    public void kill(KillTaskRequest request, StreamObserver<KillTaskResponse> observer) {
        Calls.answer(observer, () -> {
            tasks.kill(Calls.namespace(), request.getTaskId(), request.getSignal());
            return KillTaskResponse.getDefaultInstance();
        });
    }

    @Override
    public void delete(DeleteTaskRequest request, StreamObserver<DeleteTaskResponse> observer) {
        Calls.answer(observer, () -> DeleteTaskResponse.newBuilder()
                .setTask(tasks.delete(Calls.namespace(), request.getTaskId())).build());
    }

    @Override
    public void get(GetTaskRequest request, StreamObserver<GetTaskResponse> observer) {
        Calls.answer(observer, () -> GetTaskResponse.newBuilder()
                .setTask(tasks.get(Calls.namespace(), request.getTaskId())).build());
    }

    @Override
    public void list(ListTasksRequest request, StreamObserver<ListTasksResponse> observer) {
        Calls.answer(observer, () -> ListTasksResponse.newBuilder()
                .addAllTasks(tasks.list(NamespaceInterceptor.current(), request.getContainerId())).build());
    }

    @Override
    public void wait(WaitTaskRequest request, StreamObserver<WaitTaskResponse> observer) {
        try {
            tasks.waitFor(Calls.namespace(), request.getTaskId()).whenComplete((task, failure) -> {
                if (failure != null) {
                    observer.onError(Calls.status(failure));
                } else if (!((ServerCallStreamObserver<WaitTaskResponse>) observer).isCancelled()) {
                    observer.onNext(WaitTaskResponse.newBuilder().setTask(task).build());
                    observer.onCompleted();
                }
            });
        } catch (RuntimeException e) {
            observer.onError(Calls.status(e));
        }
    }

    @Override
    public void metrics(TaskMetricsRequest request, StreamObserver<TaskMetricsResponse> observer) {
        Calls.answer(observer, () -> TaskMetricsResponse.newBuilder()
                .addAllMetrics(tasks.metrics(NamespaceInterceptor.current(), request.getTaskIdsList())).build());
    }

    @Override
    public void logs(TaskLogsRequest request, StreamObserver<LogEntry> observer) {
        ServerCallStreamObserver<LogEntry> call = (ServerCallStreamObserver<LogEntry>) observer;
        String namespace;
        Task task;
        try {
            namespace = Calls.namespace();
            task = tasks.get(namespace, request.getTaskId());
        } catch (RuntimeException e) {
            observer.onError(Calls.status(e));
            return;
        }
        List<Path> files = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (String stream : TaskLogs.STREAMS) {
            for (String line : logs.tail(namespace, task.getId(), stream, request.getTail())) {
                observer.onNext(entry(task.getId(), stream, line));
            }
            Path file = logs.file(namespace, task.getId(), stream);
            files.add(file);
            offsets.add(file.toFile().length());
        }
        if (!request.getFollow()) {
            observer.onCompleted();
            return;
        }
        followers.execute(() -> follow(call, namespace, task.getId(), files, offsets));
    }

    @Override
    public StreamObserver<ExecTaskRequest> exec(StreamObserver<ExecTaskResponse> observer) {
        return ExecStream.open(observer, execs);
    }

    /** Polls the task's files for new complete lines until the client cancels or the task is deleted. */
    private void follow(ServerCallStreamObserver<LogEntry> call, String namespace, String taskId, List<Path> files,
                        List<Long> offsets) {
        try {
            while (!call.isCancelled()) {
                for (int i = 0; i < files.size(); i++) {
                    List<String> lines = new ArrayList<>();
                    offsets.set(i, logs.readFrom(files.get(i), offsets.get(i), lines));
                    for (String line : lines) {
                        call.onNext(entry(taskId, TaskLogs.STREAMS.get(i), line));
                    }
                }
                try {
                    tasks.get(namespace, taskId);
                } catch (AgentFailure deleted) {
                    call.onCompleted();
                    return;
                }
                Thread.sleep(FOLLOW_POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.onCompleted();
        } catch (RuntimeException cancelledMeanwhile) {
            // onNext on a cancelled call throws: the client is gone, nothing to answer
        }
    }

    private static LogEntry entry(String taskId, String stream, String line) {
        return LogEntry.newBuilder().setTaskId(taskId).setStream(stream).setLine(line).build();
    }
}

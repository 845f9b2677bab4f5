package io.gantry.web;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.Context;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * Tomcat's last word, where Spring never runs: a request Tomcat refuses before any servlet (an
 * invalid or non-UTF-8 path, {@code %2F}, {@code %00}) and a failure on the way to the error page.
 * Under {@code /api} it answers a problem+json, like every other API answer; elsewhere Tomcat's
 * plain page, without report or server version (as Spring Boot configured it).
 */
class ProblemErrorReportValve extends ErrorReportValve {
    private final ProblemWriter problems;

    ProblemErrorReportValve(ProblemWriter problems) {
        this.problems = problems;
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        String path = request.getRequestURI();
        if (path == null || !ErrorPages.isApi(path)) {
            super.report(request, response, throwable);
            return;
        }
        for (Throwable t = throwable; t != null; t = t.getCause()) {
            if (t instanceof InvalidParameterException && response.getStatus() >= 500) {
                response.setStatus(HttpStatus.BAD_REQUEST.value());
            }
        }
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        HttpStatus known = HttpStatus.resolve(status);
        String detail = status >= 500 ? "the server failed to handle this request; see its log"
                : status == 400 ? ErrorPages.UNREADABLE : known == null ? "" : known.getReasonPhrase();
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                writer.write(problems.json(ProblemType.forStatus(HttpStatusCode.valueOf(status), detail)));
                response.finishResponse();
            }
        } catch (Exception | LinkageError e) {
            // as Tomcat's own report: nothing more can be said on this connection
        }
    }

    /**
     * Puts the valve in place of the one Spring Boot adds to the host (its context customizer runs
     * before this one, hence the lowest precedence), and names its class to the host so that Tomcat
     * does not add its default one at start.
     */
    @Component
    static class Installer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
        private final ProblemWriter problems;

        Installer(ProblemWriter problems) {
            this.problems = problems;
        }

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(this::install);
        }

        private void install(Context context) {
            Pipeline host = context.getParent().getPipeline();
            for (Valve valve : host.getValves()) {
                if (valve instanceof ErrorReportValve) {
                    host.removeValve(valve);
                }
            }
            host.addValve(new ProblemErrorReportValve(problems));
            if (context.getParent() instanceof StandardHost standard) {
                standard.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            }
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}

# The Gantry server. Built from source so the image needs nothing but this repository:
#   docker build -t gantry/server .
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --home /var/lib/gantry gantry && mkdir -p /var/lib/gantry && chown gantry /var/lib/gantry
COPY --from=build /src/backend/target/gantry-backend-*.jar /tmp/gantry.jar
# Class data sharing (issue 22, start): the jar is extracted (Spring Boot's jarmode, so that the JVM's archive
# can name the library jars), then one training start, which stops right after the context's refresh, writes
# the archive of every class it loaded. Its embedded PostgreSQL and data dir are thrown away.
RUN java -Djarmode=tools -jar /tmp/gantry.jar extract --destination /opt/gantry && rm /tmp/gantry.jar \
    && GANTRY_DATA_DIR=/tmp/cds-data GANTRY_EMBEDDED_AGENT=false SERVER_PORT=0 \
       java -XX:ArchiveClassesAtExit=/opt/gantry/gantry.jsa -Dspring.context.exit=onRefresh -jar /opt/gantry/gantry.jar \
    && rm -rf /tmp/cds-data
USER gantry
ENV GANTRY_DATA_DIR=/var/lib/gantry
# The defaults of scripts/run, the README's run command (bench/start.sh measures them): at most half of the
# container's memory for the heap (PostgreSQL, when embedded, and the JVM's own memory live beside it), starting
# at 16 MB, kept 40% free after a full collection (less made a full collection of nearly every resync of a big
# engine: the batches in flight are promoted) and given back after one that leaves it mostly free; SerialGC,
# which costs no GC threads on a small machine; only the C1 JIT (C2's compilations were half of a start's CPU);
# smaller thread stacks; the class archive above. Override with JAVA_OPTS.
ENV JAVA_OPTS="-Xms16m -XX:MaxRAMPercentage=50 -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:SharedArchiveFile=/opt/gantry/gantry.jsa -Xshare:auto"
EXPOSE 8080
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/gantry/gantry.jar \"$@\"", "--"]

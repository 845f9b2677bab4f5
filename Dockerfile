# The Gantry server. Built from source so the image needs nothing but this repository:
#   docker build -t gantry/server .
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --home /var/lib/gantry gantry && mkdir -p /var/lib/gantry && chown gantry /var/lib/gantry
COPY --from=build /src/backend/target/gantry-backend-*.jar /opt/gantry/gantry.jar
USER gantry
ENV GANTRY_DATA_DIR=/var/lib/gantry
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/gantry/gantry.jar"]

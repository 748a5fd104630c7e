# CopyTrader engine image: build the jar with Maven on JDK 17, run it on a JRE 17 as a non-root user.
#   docker build -t copytrader .
#   docker run -d --name copytrader -p 127.0.0.1:9876:9876 \
#     -v "$PWD/routes:/app/routes" -v copytrader-data:/app/data copytrader
# Publish the management port to the host's loopback only (127.0.0.1:9876:9876): inside the container it listens
# on all interfaces (MANAGEMENT_HOST=0.0.0.0 below) so Docker can forward to it, and it serves Jolokia and metrics.

# ---- build stage --------------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY src ./src
COPY routes ./routes
COPY application.properties ./
RUN mvn -B -q -DskipTests package

# ---- runtime stage ------------------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin copytrader
WORKDIR /app
COPY --from=build /src/target/copytrader.jar /app/copytrader.jar
# Routes and settings live outside the jar, to be mounted and edited (ROUTES_RELOAD=true reloads edited routes).
COPY --chown=copytrader:copytrader routes/ /app/routes/
COPY --chown=copytrader:copytrader application.properties /app/application.properties
RUN mkdir -p /app/data && chown copytrader:copytrader /app/data

# The store is an absolute path on the data volume, whatever the working directory.
# Small containers: the serial collector, the C1 compiler only (C2 competes with the engine for a small machine's cores
# for minutes after the start; README "Performance"), the heap sized from the container's memory limit, exit on OOM so
# the orchestrator restarts the engine instead of leaving it half-alive.
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:InitialRAMPercentage=25 -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    MANAGEMENT_HOST=0.0.0.0 \
    MANAGEMENT_PORT=9876 \
    STORE_URL=jdbc:sqlite:/app/data/copytrader.db

VOLUME ["/app/routes", "/app/data"]
EXPOSE 9876
USER copytrader

HEALTHCHECK --interval=15s --timeout=3s --start-period=40s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${MANAGEMENT_PORT}/observe/health/live" || exit 1

# exec form: java is PID 1 and gets SIGTERM, so `docker stop` drains the queue (allow it: --stop-timeout 40)
ENTRYPOINT ["java", "-jar", "/app/copytrader.jar"]

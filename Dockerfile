# SteppeLink hub (and simulator) image. better-sqlite3 compiles from source, so the build stage
# has python3, make and g++; the runtime stage has none of them.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY protocols/package.json protocols/
COPY edge/package.json edge/
COPY hub/package.json hub/
COPY dashboard/package.json dashboard/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build --workspace dashboard --if-present

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    STEPPELINK_DATA_DIR=/data \
    STEPPELINK_MQTT_PORT=1883 \
    STEPPELINK_HTTP_PORT=8080
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 1883 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.STEPPELINK_HTTP_PORT||8080)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "hub/src/main.ts"]

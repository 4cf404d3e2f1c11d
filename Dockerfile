# One image per service of the distributed topology:
#   docker build --build-arg SERVICE=billing -t billing/billing:dev .
# SERVICE is the folder under services/ (identity, customers, billing, approvals, …); the container
# runs services/$SERVICE/dist/main.js, listens on $PORT (3000) and answers GET /health.

ARG NODE_IMAGE=node:20-slim

# ---- build: install everything, generate contracts, compile every package to dist/ ----------------
FROM ${NODE_IMAGE} AS build
WORKDIR /repo
COPY . .
RUN npm ci --no-audit --no-fund && npm run build
# Keep only what runs: manifests (to install production dependencies) and compiled output.
RUN mkdir -p /out \
 && cp package.json package-lock.json /out/ \
 && for dir in libs/* services/* apps/*; do \
      [ -f "$dir/package.json" ] || continue; \
      mkdir -p "/out/$dir" && cp "$dir/package.json" "/out/$dir/"; \
      if [ -d "$dir/dist" ]; then cp -r "$dir/dist" "/out/$dir/dist"; fi; \
    done

# ---- runtime: production dependencies + compiled output, non-root ---------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    PORT=3000
WORKDIR /app
COPY --from=build /out ./
RUN if [ -z "$SERVICE" ]; then echo "build with --build-arg SERVICE=<folder under services/>" >&2; exit 1; fi; \
    if [ ! -f "services/$SERVICE/dist/main.js" ]; then echo "services/$SERVICE/dist/main.js was not built" >&2; exit 1; fi; \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec replaces the shell, so node is PID 1 and gets SIGTERM itself (it closes HTTP, Kafka, then PostgreSQL and exits 0).
CMD ["sh", "-c", "exec node \"services/$SERVICE/dist/main.js\""]

# One image for every role: `listclean serve`, `listclean worker`, `listclean clean …`.
# Stage 1 compiles TypeScript to dist/; stage 2 holds only dist/, the bin, the demo files and the
# production dependencies, and runs as the unprivileged `node` user.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workers ./workers
RUN npm run build

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin/listclean.mjs ./bin/listclean.mjs
COPY examples/contacts.csv examples/sandbox-scenario.yaml examples/demo-addresses.txt ./examples/
USER node
# The API answers /healthz on PORT; a worker on WORKER_PORT (compose sets both).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.WORKER_PORT || process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "bin/listclean.mjs"]
CMD ["--help"]

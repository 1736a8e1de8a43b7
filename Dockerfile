# syntax=docker/dockerfile:1
# failback-bot: build with the dev toolchain, run with production dependencies only, as non-root.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
# The sandbox emulator (compose profile "sandbox") writes its CA certificate here, into a volume the
# sandbox bot mounts too; a new named volume takes this directory's owner, so "node" can write it.
RUN mkdir /app/sandbox-ca && chown node:node /app/sandbox-ca
# The image's own "node" user (uid 1000): no root at run time.
USER node
EXPOSE 3000
# main.ts handles SIGTERM itself: Bolt → workers → queues → Redis, within SHUTDOWN_TIMEOUT_SECONDS.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]

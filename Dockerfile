# syntax=docker/dockerfile:1
# failback-bot: build with the dev toolchain, run with production dependencies only, as non-root.
# Two images from this file:
#   runtime (the default: the last stage)  the product — dist/ built from src/ and the root package's
#                                          production dependencies; nothing of packages/ (no emulator,
#                                          no Slack stand-in, no selfsigned)
#   sandbox (--target sandbox)             the emulated vault, packages/asr-emulator, for the compose
#                                          "sandbox" profile (its bot is the runtime image, unchanged)

# --- the product -------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --workspaces=false: the root package's dependencies only, none of the workspaces' (packages/*).
RUN npm ci --workspaces=false --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund && npm cache clean --force

# --- the sandbox's emulated vault (not in the product image) ------------------------------------------
FROM node:20-bookworm-slim AS sandbox-build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/asr-emulator/package.json ./packages/asr-emulator/
RUN npm ci -w @failback/asr-emulator --include-workspace-root --no-audit --no-fund
COPY packages/asr-emulator ./packages/asr-emulator
RUN npm run build -w @failback/asr-emulator

FROM node:20-bookworm-slim AS sandbox-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/asr-emulator/package.json ./packages/asr-emulator/
COPY packages/asr-emulator/bin ./packages/asr-emulator/bin
RUN npm ci --omit=dev -w @failback/asr-emulator --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS sandbox
ENV NODE_ENV=production \
    PATH=/app/node_modules/.bin:$PATH
WORKDIR /app
# node_modules/@failback/asr-emulator links to packages/asr-emulator; .bin/failback-asr-emulator is its bin.
COPY --from=sandbox-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=sandbox-deps --chown=node:node /app/packages/asr-emulator ./packages/asr-emulator
COPY --from=sandbox-build --chown=node:node /app/packages/asr-emulator/dist ./packages/asr-emulator/dist
# The emulator writes its CA certificate here, into a volume the sandbox bot mounts read-only; a new
# named volume takes this directory's owner, so "node" can write it.
RUN mkdir /app/sandbox-ca && chown node:node /app/sandbox-ca
USER node
EXPOSE 8443 8081
STOPSIGNAL SIGTERM
CMD ["failback-asr-emulator"]

# --- the product image (default target) ---------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
# The image's own "node" user (uid 1000): no root at run time.
USER node
EXPOSE 3000
# main.ts handles SIGTERM itself: Bolt → workers → queues → Redis, within SHUTDOWN_TIMEOUT_SECONDS.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]

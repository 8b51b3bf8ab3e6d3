# Call parking service. Multi-stage: build with dev dependencies, run with production ones, as non-root.
# Node 22: a maintained LTS (Node 20 is end-of-life from 2026-04-30). package.json engines still accepts 20.19+.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY prisma ./prisma
RUN npm ci
COPY apps ./apps
RUN npm run build

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production HTTP_HOST=0.0.0.0 HTTP_PORT=8080 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
# Production dependencies only; postinstall generates the Prisma client offline (prisma/engine).
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
# Migrations are applied at start (under an advisory lock, so two instances may start together).
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/parking/src/main.js"]

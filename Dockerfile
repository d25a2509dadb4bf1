# ClickClack in a container: one stage builds the single binary (server, web app and migrations
# embedded), the other runs it on a small Debian with nothing else installed from the project.
#   docker build -t clickclack .
#   docker run -p 8080:8080 -v clickclack-data:/data clickclack
FROM oven/bun:1.4.5 AS build
WORKDIR /src
COPY package.json bun.lock bunfig.toml ./
RUN bun install --frozen-lockfile
COPY . .
RUN bun run build && ./dist/clickclack version

FROM debian:bookworm-slim
# CA certificates for outbound HTTPS (GitHub sign-in, S3 uploads); nothing else is needed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data clickclack \
 && mkdir -p /data && chown clickclack /data
COPY --from=build /src/dist/clickclack /usr/local/bin/clickclack
ENV CLICKCLACK_ADDR=0.0.0.0:8080 \
    CLICKCLACK_DATA=/data
VOLUME /data
EXPOSE 8080
USER clickclack
WORKDIR /data
ENTRYPOINT ["clickclack"]
CMD ["serve"]

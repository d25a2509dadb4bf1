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
# Ready means the database answers (/readyz). No curl in the image: bash speaks HTTP/1.0 itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${CLICKCLACK_ADDR##*:} && printf 'GET /readyz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["clickclack"]
CMD ["serve"]

# syntax=docker/dockerfile:1
# Sluice as a drop-in for aws-for-fluent-bit: a static binary in a minimal
# image, configuration and parsers where FireLens and aws-for-fluent-bit
# users expect them (see deploy/image/assemble.sh).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/sluice ./cmd/sluice \
 && deploy/image/assemble.sh /rootfs /out/sluice

# distroless/static: CA certificates, tzdata and /etc/passwd, no shell. It
# runs as root, as aws-for-fluent-bit does: FireLens has the router create
# /var/run/fluent.sock in a volume shared with the task's containers.
FROM gcr.io/distroless/static-debian12:latest
COPY --from=build /rootfs/ /
EXPOSE 2020 24224
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["/fluent-bit/bin/sluice", "health", "http://127.0.0.1:2020/api/v1/health"]
# No ENTRYPOINT, as in aws-for-fluent-bit: a task definition's command such as
# ["/fluent-bit/bin/fluent-bit", "-e", "/fluent-bit/firehose.so", "-c", ...]
# runs as it did (the -e plugins are built in and noted).
CMD ["/fluent-bit/bin/fluent-bit", "-c", "/fluent-bit/etc/fluent-bit.conf"]

# Patchwork: the binary alone, on a distroless base, as a non-root user.
#   docker build -t patchwork .
#   docker run -p 8080:8080 -v patchwork-data:/data patchwork
# See docs/deploy.md.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Pure Go (SQLite included): a static binary with no C library.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/patchwork ./cmd/patchwork

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/patchwork /patchwork
USER nonroot:nonroot
VOLUME /data
ENV PATCHWORK_ADDR=0.0.0.0:8080 \
    PATCHWORK_DATABASE=/data/patchwork.db \
    PATCHWORK_LOG_FORMAT=json \
    PATCHWORK_DRAIN_DELAY=5s
EXPOSE 8080
ENTRYPOINT ["/patchwork"]
CMD ["serve"]

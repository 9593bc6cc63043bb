# syntax=docker/dockerfile:1
# The quant binary (every service is a subcommand: migrate, processor, risk-engine, api, …) with
# the migrations, reader views and default configuration it reads. Used by docker-compose.yml.
#
#   docker build -t quant-pipeline .
#   docker run --rm quant-pipeline config
ARG SWIFT_VERSION=6.3

# --- librdkafka 2.8.0 from Debian trixie's source package, as scripts/setup builds it -------------
FROM swift:${SWIFT_VERSION}-bookworm AS librdkafka
ARG RDKAFKA_VERSION=2.8.0
RUN echo "deb-src http://deb.debian.org/debian trixie main" > /etc/apt/sources.list.d/trixie-src.list \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      dpkg-dev build-essential pkg-config zlib1g-dev libssl-dev libzstd-dev liblz4-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
RUN apt-get update -qq \
 && (apt-get source --download-only "librdkafka=${RDKAFKA_VERSION}-1" || apt-get source --download-only librdkafka) \
 && tar xf librdkafka_${RDKAFKA_VERSION}.orig.tar.gz \
 && cd librdkafka-${RDKAFKA_VERSION} \
 && ./configure --prefix=/usr/local --disable-gssapi --disable-curl \
 && make -j"$(nproc)" libs \
 && make install-subdirs \
 && rm -rf /var/lib/apt/lists/*

# --- the Swift build --------------------------------------------------------------------------------
FROM librdkafka AS build
ENV PKG_CONFIG_PATH=/usr/local/lib/pkgconfig
# SLEEF (vector exp, log, erfc) for the batched option pricer (Sources/CBatchPricer).
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libsleef-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Resolve dependencies first, so source changes reuse this layer.
# Package.resolved is not versioned; the glob copies it when the context has one.
COPY Package.swift Package.resolve[d] ./
RUN swift package resolve
COPY Sources ./Sources
# Package.swift names the test targets, so their folders must exist (nothing of them is built).
COPY Tests ./Tests
RUN swift build -c release --product quant --static-swift-stdlib \
 && mkdir -p /out/bin && cp "$(swift build -c release --show-bin-path)/quant" /out/bin/

# --- runtime: Debian slim, the binary, librdkafka and what quant reads at run time ------------------
FROM debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ca-certificates curl libssl3 zlib1g libzstd1 liblz4-1 libsleef3 tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app quant
COPY --from=librdkafka /usr/local/lib/librdkafka.so* /usr/local/lib/
RUN ldconfig
WORKDIR /app
COPY --from=build /out/bin/quant /usr/local/bin/quant
COPY config ./config
COPY migrations ./migrations
COPY sql ./sql
COPY console ./console
ENV QUANT_HOME=/app
USER quant
# api.port (config/config.yaml); the planned metrics ports are 9101-9103 (docs/deployment.md).
EXPOSE 8080
ENTRYPOINT ["quant"]
CMD ["--help"]

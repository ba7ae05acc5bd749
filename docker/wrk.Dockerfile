# wrk for the `load` profile of docker-compose.yml, with the pipelining script TechEmpower's plaintext test uses.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends wrk && rm -rf /var/lib/apt/lists/*
COPY Benchmarks/Http/pipeline.lua /pipeline.lua
ENTRYPOINT ["wrk"]

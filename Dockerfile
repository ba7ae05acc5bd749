# One image for every service in docker-compose.yml: loop-echo, loop-http, loop-redis and echo-load,
# all on PATH; the command picks one, e.g. `docker run --rm -p 6379:6379 loop loop-redis --bind 0.0.0.0`.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first: the package restore stays cached until one of them changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY Framework/Loop.Framework.csproj Framework/
COPY Protocols/Loop.Protocols.csproj Protocols/
COPY Samples/Echo/Loop.Samples.Echo.csproj Samples/Echo/
COPY Samples/Http/Loop.Samples.Http.csproj Samples/Http/
COPY Samples/Redis/Loop.Samples.Redis.csproj Samples/Redis/
COPY Benchmarks/EchoLoad/Loop.Benchmarks.EchoLoad.csproj Benchmarks/EchoLoad/
RUN dotnet restore Samples/Echo && dotnet restore Samples/Http && dotnet restore Samples/Redis \
    && dotnet restore Benchmarks/EchoLoad
COPY Framework/ Framework/
COPY Protocols/ Protocols/
COPY Samples/ Samples/
COPY Benchmarks/EchoLoad/ Benchmarks/EchoLoad/
# All four into one folder: they share Loop.Framework, Loop.Protocols and the logging packages.
RUN dotnet publish Samples/Echo -c Release --no-restore -o /app \
    && dotnet publish Samples/Http -c Release --no-restore -o /app \
    && dotnet publish Samples/Redis -c Release --no-restore -o /app \
    && dotnet publish Benchmarks/EchoLoad -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app ./
# Each program's apphost (loop-echo, loop-http, loop-redis, echo-load) is in /app.
ENV PATH="/app:${PATH}"
EXPOSE 6379 7000 8080
USER $APP_UID
CMD ["loop-echo", "--bind", "0.0.0.0"]

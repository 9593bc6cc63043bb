"""docker-compose.yml, the Dockerfile, Prometheus and Grafana provisioning: valid, and consistent
with config/ (no Docker engine runs here, so this is what can be checked without one).

The Compose specification's JSON schema is the copy that the check-jsonschema package ships
(installed in .venv by scripts/setup); nothing is fetched at test time.
"""
import json
import re
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def load_yaml(relative):
    return yaml.safe_load((ROOT / relative).read_text())


@pytest.fixture(scope="module")
def compose():
    return load_yaml("docker-compose.yml")


@pytest.fixture(scope="module")
def config():
    return load_yaml("config/config.yaml")


def env_name(key):
    """config.yaml key -> environment variable, the rule of docs/configuration.md."""
    special = {"database.url": "DATABASE_URL", "kafka.brokers": "KAFKA_BROKERS"}
    if key in special:
        return special[key]
    return "QUANT_" + "_".join(re.sub(r"(?<!^)([A-Z])", r"_\1", part).upper() for part in key.split("."))


def config_env_names(config):
    return {env_name(f"{section}.{key}") for section, values in config.items() for key in values}


METRICS_PORT_KEYS = {"processor": "processorPort", "risk-engine": "riskEnginePort", "api": "apiPort"}


def metrics_ports(config):
    """Each service's /metrics port (config.yaml's metrics.*Port), by compose service name."""
    return {service: int(config["metrics"][key]) for service, key in METRICS_PORT_KEYS.items()}


def quant_services(compose):
    return {name: s for name, s in compose["services"].items() if s.get("image", "").startswith("quant-pipeline")}


def test_the_compose_file_is_valid_against_the_compose_specification(compose):
    schema_text = resources.files("check_jsonschema").joinpath("builtin_schemas/vendor/compose-spec.json").read_text()
    schema = json.loads(schema_text)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_schema_catches_a_broken_file(compose):
    schema = json.loads(resources.files("check_jsonschema").joinpath("builtin_schemas/vendor/compose-spec.json").read_text())
    broken = json.loads(json.dumps(compose))
    broken["services"]["api"]["depends_on"]["migrate"]["condition"] = "service_finished"
    broken["services"]["postgres"]["healthcheck"]["interval"] = ["5s"]
    assert list(jsonschema.validators.validator_for(schema)(schema).iter_errors(broken))


def test_every_setting_variable_is_a_config_key(compose, config):
    known = config_env_names(config)
    example = (ROOT / ".env.example").read_text()
    for name, service in quant_services(compose).items():
        for variable in service["environment"]:
            assert variable in known, f"{name}: {variable} is not a setting of config/config.yaml"
            assert re.search(rf"^{variable}=", example, re.M), f"{variable} missing from .env.example"


def test_the_quant_services_share_one_database_and_the_three_brokers(compose):
    postgres = compose["services"]["postgres"]["environment"]
    kafka = {name: s for name, s in compose["services"].items() if re.fullmatch(r"kafka-\d", name)}
    assert len(kafka) == 3
    internal = sorted(
        re.search(r"INTERNAL://([^,]+)", s["environment"]["KAFKA_ADVERTISED_LISTENERS"]).group(1) for s in kafka.values()
    )
    for name, service in quant_services(compose).items():
        env = service["environment"]
        url = urlsplit(env["DATABASE_URL"])
        assert (url.scheme, url.hostname, url.port, url.path) == ("postgres", "postgres", 5432, "/" + postgres["POSTGRES_DB"])
        assert url.password is None, f"{name}: a password in DATABASE_URL"
        assert env["QUANT_DATABASE_PASSWORD_FILE"] == f"/run/quant-secrets/{url.username}", name
        assert "secrets:/run/quant-secrets:ro" in service["volumes"], name
        assert sorted(env["KAFKA_BROKERS"].split(",")) == internal, name
        assert service["build"]["context"] == "." and (ROOT / service["build"]["dockerfile"]).is_file()


def test_kraft_quorum_and_topics_match_the_brokers_and_config(compose, config):
    services = compose["services"]
    kafka = {name: s["environment"] for name, s in services.items() if re.fullmatch(r"kafka-\d", name)}
    voters = {f"{env['KAFKA_NODE_ID']}@{name}:9093" for name, env in kafka.items()}
    for name, env in kafka.items():
        assert set(env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")) == voters
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", env["CLUSTER_ID"])
        external = int(re.search(r"EXTERNAL://localhost:(\d+)", env["KAFKA_ADVERTISED_LISTENERS"]).group(1))
        assert services[name]["ports"] == [f"{external}:{external}"]
    assert len({env["CLUSTER_ID"] for env in kafka.values()}) == 1
    script = services["kafka-topics"]["command"][0]
    stack = (ROOT / "scripts/stack").read_text()
    stack_topics = re.search(r'TOPICS=\$\{QUANT_TOPICS:-"([^"]+)"\}', stack).group(1).split()
    assert re.search(r"for topic in ([^;]+);", script).group(1).split() == stack_topics
    assert f"--partitions {config['kafka']['topicPartitions']}" in script
    assert "--replication-factor 3" in script


def test_the_api_port_and_health_check_match_config(compose, config):
    api = compose["services"]["api"]
    port = config["api"]["port"]
    assert int(api["environment"]["QUANT_API_PORT"]) == port
    assert api["ports"] == [f"{port}:{port}"]
    assert f"http://localhost:{port}/api/v1/health" in api["healthcheck"]["test"]
    assert api["environment"]["QUANT_API_HOST"] == "0.0.0.0"
    assert f"EXPOSE {port}" in (ROOT / "Dockerfile").read_text()


def test_start_up_order(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["migrate", "up"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ["processor", "risk-engine", "api", "grafana"]:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
    for name in ["processor", "api"]:
        assert services[name]["depends_on"]["kafka-topics"]["condition"] == "service_completed_successfully", name
    for name in ["kafka-1", "kafka-2", "kafka-3"]:
        assert services["kafka-topics"]["depends_on"][name]["condition"] == "service_healthy"
    for name, service in services.items():
        if service.get("restart") != "no":
            assert "healthcheck" in service, f"{name} has no health check"
        for dependency, rule in service.get("depends_on", {}).items():
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits for {dependency}'s health check"
    assert {s["command"][0] for s in quant_services(compose).values()} == {"migrate", "processor", "risk-engine", "api"}


def test_prometheus_scrapes_each_service_on_its_metrics_port(compose, config):
    prometheus = load_yaml("config/prometheus/prometheus.yml")
    planned = metrics_ports(config)
    targets = {
        job["job_name"]: target
        for job in prometheus["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    services = compose["services"]
    for service, port in planned.items():
        assert targets[f"quant-{service}"] == f"{service}:{port}"
        variable = env_name(f"metrics.{METRICS_PORT_KEYS[service]}")
        assert int(services[service]["environment"][variable]) == port
        assert f"{service} {port}" in (ROOT / "docs/operations.md").read_text().replace("`quant ", "").replace("` | ", " ")
    mount = next(v for v in services["prometheus"]["volumes"] if v.startswith("./config/prometheus/"))
    assert mount.split(":")[1] == "/etc/prometheus/prometheus.yml"


def test_grafana_provisioning_points_at_the_compose_services(compose):
    grafana = compose["services"]["grafana"]
    env = grafana["environment"]
    datasources = {d["uid"]: d for d in load_yaml("config/grafana/provisioning/datasources/datasources.yaml")["datasources"]}
    pg, prom = datasources["quant-postgres"], datasources["quant-prometheus"]
    assert pg["type"] == "grafana-postgresql-datasource" and pg["user"] == "analyst"
    assert pg["jsonData"]["database"] == compose["services"]["postgres"]["environment"]["POSTGRES_DB"]
    assert pg["url"] == "${QUANT_GRAFANA_POSTGRES_HOST}" and env["QUANT_GRAFANA_POSTGRES_HOST"] == "postgres:5432"
    assert pg["secureJsonData"]["password"] == "$__file{/run/quant-secrets/analyst}"
    assert "secrets:/run/quant-secrets:ro" in grafana["volumes"]
    assert env["GF_SECURITY_ADMIN_PASSWORD__FILE"] == "/run/quant-secrets/grafana_admin"
    assert prom["type"] == "prometheus" and prom["url"] == "${QUANT_GRAFANA_PROMETHEUS_URL}"
    prom_url = urlsplit(env["QUANT_GRAFANA_PROMETHEUS_URL"])
    assert prom_url.hostname in compose["services"] and compose["services"]["prometheus"]["ports"] == [f"{prom_url.port}:{prom_url.port}"]
    mounts = dict(v.split(":")[:2] for v in grafana["volumes"] if v.startswith("./"))
    assert mounts["./config/grafana/provisioning"] == "/etc/grafana/provisioning"
    provider = load_yaml("config/grafana/provisioning/dashboards/dashboards.yaml")["providers"][0]
    assert mounts["./config/grafana/dashboards"] == provider["options"]["path"]


def test_every_bind_mount_exists_in_the_repository(compose):
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: {source}"


def test_the_dockerfile_builds_what_setup_builds():
    dockerfile = (ROOT / "Dockerfile").read_text()
    setup = (ROOT / "scripts/setup").read_text()
    want = re.search(r"RDKAFKA_WANT=(\S+)", setup).group(1)
    assert f"ARG RDKAFKA_VERSION={want}" in dockerfile
    assert re.search(r"^FROM swift:\$\{SWIFT_VERSION\}-bookworm AS", dockerfile, re.M)
    assert re.search(r"^ARG SWIFT_VERSION=6\.\d+$", dockerfile, re.M)
    assert "--disable-gssapi --disable-curl" in dockerfile and "--disable-gssapi --disable-curl" in setup
    assert re.search(r"^FROM debian:bookworm-slim$", dockerfile, re.M)
    # The batched pricer links SLEEF: built against libsleef-dev, run with libsleef3, as scripts/setup installs.
    assert "libsleef-dev" in setup and "libsleef-dev" in dockerfile and "libsleef3" in dockerfile
    for folder in ["config", "migrations", "sql"]:
        assert f"COPY {folder} ./{folder}" in dockerfile
    assert 'ENTRYPOINT ["quant"]' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".build", ".local", ".venv", ".git"} <= set(ignored)


ROLES = {"migrate": "quant", "processor": "quant_processor", "risk-engine": "quant_risk_engine", "api": "quant_api"}


def test_each_service_logs_in_as_its_own_role_with_a_generated_password(compose):
    """Finding 9 of the hostile-input review: no default password anywhere, no database port beyond
    loopback, each service its own role (migration 0020), every password generated once."""
    text = (ROOT / "docker-compose.yml").read_text()
    assert not re.search(r"PASSWORD[A-Z_]*:\s*\$\{[A-Z_]+:-", text), "a password with a default"
    assert not re.search(r"://[a-z_]+:[^@/]+@", text), "a password inside a URL"
    services = compose["services"]
    for name, role in ROLES.items():
        assert urlsplit(services[name]["environment"]["DATABASE_URL"]).username == role, name
    postgres = services["postgres"]
    assert postgres["ports"] == ["127.0.0.1:5432:5432"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/quant-secrets/quant"
    assert "--auth-host=scram-sha-256" in postgres["environment"]["POSTGRES_INITDB_ARGS"]
    assert postgres["depends_on"]["secrets"]["condition"] == "service_completed_successfully"
    made = re.search(r"for name in ([^;]+);", services["secrets"]["command"][0]).group(1).split()
    assert set(made) == set(ROLES.values()) | {"analyst", "grafana_admin"}
    init = (ROOT / "config/docker/postgres-init.sh").read_text()
    for role in set(ROLES.values()) - {"quant"} | {"analyst"}:
        assert re.search(rf"CREATE ROLE {role} LOGIN .*PASSWORD :'", init), role
        assert f"secret {role}" in init or (role == "analyst" and "secret analyst" in init), role
    migration = (ROOT / "migrations/0020_service_roles.sql").read_text()
    for role in set(ROLES.values()) - {"quant"}:
        assert f"'{role}'" in migration, role

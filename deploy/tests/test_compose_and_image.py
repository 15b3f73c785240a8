"""The compose file passes the Compose Specification schema (check-jsonschema's vendored compose-spec) and keeps its
promises (the whole stack, pinned images, loopback-only ports, secrets from the environment, mounted files exist);
the Dockerfiles pass hadolint and the image pins the Spark and Hadoop versions of the pom."""
import re
import xml.etree.ElementTree as ET

import yaml

from deploytools import DEPLOY, ROOT, run, tool

COMPOSE = DEPLOY / "compose" / "docker-compose.yml"


def compose():
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_passes_the_compose_spec_schema():
    run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE))


def test_compose_runs_the_full_stack_with_pinned_images_on_loopback():
    services = compose()["services"]
    assert {"kafka", "minio", "postgres", "mlflow", "airflow", "prometheus", "grafana", "fosm-stream"} <= set(services)
    for name, s in services.items():
        image = s.get("image", "")
        assert re.search(r":[^:/]+$", image) and not image.endswith(":latest"), f"{name}: unpinned image {image!r}"
        for port in s.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
    mlflow = " ".join(services["mlflow"]["command"])
    assert "--backend-store-uri postgresql://" in mlflow and "@postgres:5432/mlflow" in mlflow
    assert "postgresql" in services["airflow"]["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


def test_compose_takes_secrets_from_the_environment_only():
    checked = 0
    for name, s in compose()["services"].items():
        env = s.get("environment", {})
        for key, value in env.items():
            if re.search(r"PASSWORD|SECRET|ACCESS_KEY", key):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]+\}", str(value)), f"{name}: {key} must be ${{VAR:?...}}"
                checked += 1
    assert checked >= 6
    conn = compose()["services"]["airflow"]["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert "${FOSM_POSTGRES_PASSWORD:?" in conn
    example = (DEPLOY / "compose" / ".env.example").read_text()
    assert all(l.endswith("=") for l in example.splitlines() if l and not l.startswith("#")), "no values in the example"
    assert "deploy/compose/.env" in (ROOT / ".gitignore").read_text()


def test_compose_mounts_files_that_exist():
    for name, s in compose()["services"].items():
        for v in s.get("volumes", []):
            src = v.split(":", 1)[0]
            if src.startswith("."):
                path = (COMPOSE.parent / src).resolve()
                if name == "airflow":
                    continue  # airflow-dags/ arrives with the Airflow branch
                assert path.exists(), f"{name} mounts {src}, which does not exist"
        if "build" in s:
            assert (COMPOSE.parent / s["build"]["context"] / "Dockerfile").is_file()


def pom_property(name):
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    return ET.parse(ROOT / "pom.xml").getroot().find(f"m:properties/m:{name}", ns).text


def test_dockerfiles_pass_hadolint_and_pin_the_pom_versions():
    dockerfile = DEPLOY / "docker" / "Dockerfile"
    run(tool("hadolint"), str(dockerfile), str(DEPLOY / "compose" / "mlflow" / "Dockerfile"))
    text = dockerfile.read_text()
    spark, hadoop = pom_property("spark.version"), pom_property("hadoop.version")
    assert re.search(rf"^FROM apache/spark:{re.escape(spark)}-scala2\.12-java17-ubuntu$", text, re.M), \
        f"the base image must be Spark {spark} on Java 17"
    assert f"hadoop-aws-{hadoop}.jar" in text, f"hadoop-aws must match the pom's hadoop.version {hadoop}"
    assert "/opt/fosm/jars/fosm-jobs.jar" in text
    for app in (DEPLOY / "kubernetes" / "base").glob("sparkapp-*.yaml"):
        spec = yaml.safe_load(app.read_text())["spec"]
        assert spec["mainApplicationFile"] == "local:///opt/fosm/jars/fosm-jobs.jar", app.name
        assert spec["sparkVersion"] == spark, app.name

"""docker-compose.yml beyond validity: health checks, start order, volumes,
monitoring wired to what the server really exports."""
import json
import re

from conftest import ROOT

ONE_SHOT = {"elk-setup", "kibana-setup"}
STATEFUL = {
    "elasticsearch": "/usr/share/elasticsearch/data",
    "mongo": "/data/db",
    "redis": "/data",
    "kibana": "/usr/share/kibana/data",
    "logstash": "/usr/share/logstash/data",
    "prometheus": "/prometheus",
    "grafana": "/var/lib/grafana",
    "vigie-server": "/var/lib/vigie",
    "vigie-worker": "/var/lib/vigie",
}


def test_the_whole_platform_is_there(compose_config):
    services = set(compose_config["services"])
    assert {"elasticsearch", "logstash", "kibana", "kibana-setup", "mongo",
            "redis", "vigie-server", "vigie-worker", "prometheus", "grafana",
            "nginx"} <= services


def test_images_are_the_expected_major_versions(compose_config):
    image = {n: s.get("image", "") for n, s in compose_config["services"].items()}
    for name in ("elasticsearch", "logstash", "kibana"):
        assert re.search(r":8\.\d+\.\d+$", image[name]), image[name]
    assert image["mongo"].endswith(":7")
    assert re.search(r"redis:7", image["redis"])


def test_every_long_running_service_has_a_health_check(compose_config):
    for name, svc in compose_config["services"].items():
        if name in ONE_SHOT:
            assert svc.get("restart") == "no", name
            continue
        hc = svc.get("healthcheck")
        assert hc and hc.get("test") and not hc.get("disable"), name


def test_every_dependency_waits_on_a_condition(compose_config):
    for name, svc in compose_config["services"].items():
        for dep, spec in (svc.get("depends_on") or {}).items():
            want = ("service_completed_successfully" if dep in ONE_SHOT
                    else "service_healthy")
            assert spec.get("condition") == want, f"{name} -> {dep}"


def test_stateful_services_keep_their_data_in_named_volumes(compose_config):
    declared = set(compose_config.get("volumes") or {})
    for name, target in STATEFUL.items():
        mounts = compose_config["services"][name].get("volumes") or []
        named = [m for m in mounts
                 if m["type"] == "volume" and m["target"] == target]
        assert named, f"{name} has no named volume on {target}"
        assert named[0]["source"] in declared


def test_logstash_watches_a_folder_shared_with_the_server(compose_config):
    def volume_at(service, target):
        for m in compose_config["services"][service].get("volumes") or []:
            if m["target"] == target:
                return m
        raise AssertionError(f"{service} has nothing on {target}")

    ls = volume_at("logstash", "/usr/share/logstash/uploads")
    srv = volume_at("vigie-server", "/var/lib/vigie/logstash-uploads")
    wrk = volume_at("vigie-worker", "/var/lib/vigie/logstash-uploads")
    assert ls["type"] == srv["type"] == wrk["type"] == "volume"
    assert ls["source"] == srv["source"] == wrk["source"]
    assert ls.get("read_only") is True
    pipelines = (ROOT / "elk/logstash/pipeline/csv.conf").read_text()
    assert "/usr/share/logstash/uploads/*/*.csv" in pipelines


def test_bind_mounted_files_exist(compose_config):
    for name, svc in compose_config["services"].items():
        for m in svc.get("volumes") or []:
            if m["type"] != "bind":
                continue
            src = m["source"]
            if src.startswith("./var/"):
                continue  # the operator's (TLS certificate and key)
            assert (ROOT / src).exists(), f"{name}: {src}"


def test_configuration_comes_from_dot_env(compose_config):
    for name in ("vigie-server", "vigie-worker"):
        env = compose_config["services"][name]["environment"]
        assert env["VIGIE_ES_URL"] == "http://elasticsearch:9200"
        assert env["VIGIE_JWT_SECRET"].startswith("delivery-tests-placeholder")
    raw = (ROOT / "docker-compose.yml").read_text()
    assert "path: .env" in raw


def test_prometheus_scrapes_the_server_metrics(compose_config):
    import yaml

    cfg = yaml.safe_load((ROOT / "docker/prometheus/prometheus.yml").read_text())
    job = next(j for j in cfg["scrape_configs"] if j["job_name"] == "vigie")
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == ["vigie-server:8080"]
    assert compose_config["services"]["vigie-server"]["environment"]["VIGIE_PORT"] == "8080"


def test_grafana_dashboard_uses_only_metrics_the_server_exports():
    # Adjacent C string literals joined, as the compiler does.
    source = re.sub(r'"\s*\n\s*"', "", (ROOT / "src/core/metrics.c").read_text())
    exported = set(re.findall(r"vigie_[a-z_]+", source))
    dash = json.loads((ROOT / "docker/grafana/dashboards/vigie.json").read_text())
    used = set()
    for panel in dash["panels"]:
        assert panel["datasource"]["uid"] == "vigie-prometheus"
        for target in panel["targets"]:
            used |= set(re.findall(r"vigie_[a-z_]+", target["expr"]))
    assert used, "the dashboard queries nothing"
    assert used <= exported, sorted(used - exported)
    ds = (ROOT / "docker/grafana/provisioning/datasources/prometheus.yml").read_text()
    assert "uid: vigie-prometheus" in ds and "http://prometheus:9090" in ds


def test_only_vigie_and_the_tls_proxy_listen_beyond_loopback(compose_config):
    for name, svc in compose_config["services"].items():
        for port in svc.get("ports") or []:
            if name in ("vigie-server", "nginx"):
                continue
            assert port.get("host_ip") == "127.0.0.1", f"{name}: {port}"

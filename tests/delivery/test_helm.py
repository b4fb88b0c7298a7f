"""The rendered Helm chart: what kubeconform cannot tell (probes, limits,
secrets by reference, autoscaling in production)."""
import subprocess

import pytest

from conftest import ROOT, helm_template, tool

VALUES = ["values.yaml", "values-staging.yaml", "values-production.yaml"]


def by_kind(docs, kind):
    return [d for d in docs if d["kind"] == kind]


def deployment(docs, component):
    return next(d for d in by_kind(docs, "Deployment")
                if d["metadata"]["labels"]["app.kubernetes.io/component"] == component)


@pytest.mark.parametrize("values", VALUES)
def test_server_probes_health(values):
    c = deployment(helm_template(values), "server")["spec"]["template"]["spec"]["containers"][0]
    for probe in ("readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"]["path"] == "/health", probe
        assert c[probe]["httpGet"]["port"] == "http"
    # Liveness gives up much later than readiness (dependency outages).
    ready, live = c["readinessProbe"], c["livenessProbe"]
    assert (live["periodSeconds"] * live["failureThreshold"]
            > 4 * ready["periodSeconds"] * ready["failureThreshold"])


@pytest.mark.parametrize("values", VALUES)
def test_every_container_has_requests_and_limits(values):
    docs = helm_template(values)
    pods = [d["spec"]["template"]["spec"] for d in by_kind(docs, "Deployment")]
    pods += [d["spec"] for d in by_kind(docs, "Pod")]
    assert len(pods) >= 3
    for pod in pods:
        for c in pod["containers"]:
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(c["resources"][kind]), c["name"]


@pytest.mark.parametrize("values", VALUES)
def test_non_root_and_jwt_secret_by_reference(values):
    docs = helm_template(values)
    for d in by_kind(docs, "Deployment"):
        spec = d["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        c = spec["containers"][0]
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        env = {e["name"]: e for e in c["env"]}
        ref = env["VIGIE_JWT_SECRET"]["valueFrom"]["secretKeyRef"]
        assert ref["name"] and "value" not in env["VIGIE_JWT_SECRET"]
        # The key sealing webhook secrets: the same Secret, optional.
        ref = env["VIGIE_SECRETS_KEY"]["valueFrom"]["secretKeyRef"]
        assert ref["key"] == "VIGIE_SECRETS_KEY" and ref["optional"] is True
        assert any("configMapRef" in e for e in c["envFrom"])
    assert not by_kind(docs, "Secret"), "the chart must not create secrets"
    config = by_kind(docs, "ConfigMap")[0]["data"]
    assert "VIGIE_JWT_SECRET" not in config
    assert config["VIGIE_PORT"] == "8080"


def test_production_autoscales_both_deployments_behind_an_ingress():
    docs = helm_template("values-production.yaml")
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in by_kind(docs, "HorizontalPodAutoscaler")}
    assert set(hpas) == {"vigie-server", "vigie-worker"}
    for hpa in hpas.values():
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["minReplicas"] >= 2
    for d in by_kind(docs, "Deployment"):
        assert "replicas" not in d["spec"], "the HPA owns the replica count"
    ingress = by_kind(docs, "Ingress")[0]
    assert ingress["spec"]["tls"]
    assert by_kind(docs, "PodDisruptionBudget")


def test_staging_and_production_differ_where_they_should():
    staging = by_kind(helm_template("values-staging.yaml"), "ConfigMap")[0]["data"]
    production = by_kind(helm_template("values-production.yaml"), "ConfigMap")[0]["data"]
    assert staging["VIGIE_ENV"] == "staging"
    assert production["VIGIE_ENV"] == "production"


def test_helm_test_hook_checks_health_through_the_service():
    docs = helm_template("values-staging.yaml")
    pod = next(d for d in by_kind(docs, "Pod")
               if d["metadata"]["annotations"].get("helm.sh/hook") == "test")
    cmd = pod["spec"]["containers"][0]["command"]
    assert cmd[0] == "curl" and "--fail" in cmd
    assert cmd[-1] == "http://vigie:80/health"


def test_deploy_tag_reaches_the_image():
    docs = helm_template("values-staging.yaml", "--set-string", "image.tag=sha-abc",
                         "--set-string", "image.repository=ghcr.io/acme/vigie")
    for d in by_kind(docs, "Deployment"):
        assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/vigie:sha-abc"


def test_bad_values_are_refused():
    out = subprocess.run(
        [tool("helm"), "template", "vigie", str(ROOT / "helm/vigie"),
         "--kube-version", "1.30.0", "--set", "config.logLevel=loud"],
        capture_output=True, text=True)
    assert out.returncode != 0 and "config.logLevel" in out.stderr
    out = subprocess.run(
        [tool("helm"), "template", "vigie", str(ROOT / "helm/vigie"),
         "--kube-version", "1.30.0", "--set", "config.extra.VIGIE_JWT_SECRET=x"],
        capture_output=True, text=True)
    assert out.returncode != 0 and "Secret" in out.stderr
    out = subprocess.run(
        [tool("helm"), "template", "vigie", str(ROOT / "helm/vigie"),
         "--kube-version", "1.30.0", "--set", "config.extra.VIGIE_SECRETS_KEY=x"],
        capture_output=True, text=True)
    assert out.returncode != 0 and "VIGIE_SECRETS_KEY" in out.stderr

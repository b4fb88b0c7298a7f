"""GitHub workflows (what actionlint cannot judge: the pipeline's shape),
the image recipe and its build context, and the Sonar settings."""
import fnmatch
import os
import re

from conftest import ROOT, workflow


def steps_text(job):
    return "\n".join(str(s.get("run", "")) + str(s.get("uses", "")) for s in job["steps"])


def test_ci_runs_every_stage_and_pushes_only_from_main():
    ci = workflow("ci.yml")
    jobs = ci["jobs"]
    assert {"format", "lint", "build-test", "coverage", "fuzz", "delivery", "image"} <= set(jobs)
    assert "make format-check" in steps_text(jobs["format"])
    assert "make lint" in steps_text(jobs["lint"])
    assert "make coverage" in steps_text(jobs["coverage"])
    assert "make fuzz-smoke" in steps_text(jobs["fuzz"])
    assert "make delivery-check" in steps_text(jobs["delivery"])
    for name in ("build-test", "coverage"):
        services = jobs[name]["services"]
        assert "elasticsearch:8." in services["elasticsearch"]["image"]
        assert services["mongo"]["image"] == "mongo:7"
        assert services["redis"]["image"] == "redis:7"
    image = jobs["image"]
    assert set(image["needs"]) >= {"lint", "build-test", "coverage", "fuzz"}
    assert "refs/heads/main" in image["env"]["PUSH"]
    pushes = [s for s in image["steps"] if s.get("with", {}).get("push") is True]
    assert pushes and all(s["if"] == "env.PUSH == 'true'" for s in pushes)
    assert "ghcr.io/" in str(image["steps"])
    upload = [s for s in jobs["coverage"]["steps"] if "upload-artifact" in s.get("uses", "")]
    assert upload and upload[0]["with"]["path"] == "coverage/"


def test_staging_deploys_after_ci_on_main():
    wf = workflow("deploy-staging.yml")
    trigger = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads "on" as true
    run = trigger["workflow_run"]
    assert run["workflows"] == ["CI"] and run["branches"] == ["main"]
    job = wf["jobs"]["deploy"]
    assert "conclusion == 'success'" in job["if"]
    assert job["environment"]["name"] == "staging"
    assert 'scripts/deploy.sh staging "$IMAGE_TAG"' in steps_text(job)
    assert job["env"]["IMAGE_TAG"] == "sha-${{ github.event.workflow_run.head_sha }}"


def test_production_deploys_tags_behind_the_protected_environment():
    wf = workflow("deploy-production.yml")
    trigger = wf[True] if True in wf else wf["on"]
    assert trigger["push"]["tags"] == ["v[0-9]+.[0-9]+.[0-9]+"]
    deploy = wf["jobs"]["deploy"]
    assert deploy["environment"]["name"] == "production"
    assert deploy["needs"] == "promote"
    assert 'scripts/deploy.sh production "$IMAGE_TAG"' in steps_text(deploy)
    promote = steps_text(wf["jobs"]["promote"])
    assert "merge-base --is-ancestor" in promote and "imagetools create" in promote


def test_dockerfile_is_multi_stage_non_root_with_a_health_check():
    text = (ROOT / "docker/Dockerfile").read_text()
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    assert len(froms) >= 2 and all("${DEBIAN_RELEASE}" in f for f in froms)
    assert "ARG DEBIAN_RELEASE=bookworm" in text
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and not user[-1].startswith(("root", "0"))
    assert re.search(r"^HEALTHCHECK .*\n.*/health", text, re.M)
    # The web pages' npm packages are installed in the build stage only.
    assert "install_web" in text and "COPY --from=build /src/assets/" in text


def dockerignore_excludes(path):
    """Docker's rule: the last matching pattern wins; '!' re-includes."""
    excluded = False
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        neg = line.startswith("!")
        pat = line[1:] if neg else line
        parts = path.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        if any(fnmatch.fnmatch(p, pat) or fnmatch.fnmatch(p, pat.replace("**/", ""))
               for p in prefixes):
            excluded = not neg
    return excluded


def test_the_build_context_holds_what_the_image_copies_and_builds():
    text = (ROOT / "docker/Dockerfile").read_text()
    for src in re.findall(r"^COPY (?!--from)(\S+)", text, re.M):
        if src == ".":
            continue
        assert (ROOT / src).exists(), src
        assert not dockerignore_excludes(src.rstrip("/")), src
    # make build needs the sources, the Makefile and the ES templates.
    for needed in ("Makefile", "src/core/record.c", "src/api/app.c",
                   "elk/elasticsearch/index-template-logs.json", "kore.conf"):
        assert not dockerignore_excludes(needed), needed
    for heavy in (".git", "build", "build-cov", "coverage", ".venv", ".cache",
                  "tests/browser/node_modules", ".env", "locust/results"):
        assert dockerignore_excludes(heavy), heavy


def test_sonar_settings_point_at_real_paths():
    props = {}
    for line in (ROOT / "sonar-project.properties").read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            props[k.strip()] = v.strip()
    for key in ("sonar.projectKey", "sonar.sources", "sonar.tests",
                "sonar.exclusions", "sonar.cfamily.compile-commands",
                "sonar.coverageReportPaths"):
        assert props.get(key), key
    for path in props["sonar.sources"].split(",") + props["sonar.tests"].split(","):
        assert (ROOT / path).is_dir(), path
    assert props["sonar.coverageReportPaths"] == "coverage/sonarqube.xml"
    assert "coverage/sonarqube.xml" in (ROOT / "scripts/coverage.sh").read_text()
    assert os.path.basename(props["sonar.cfamily.compile-commands"]) == "compile_commands.json"

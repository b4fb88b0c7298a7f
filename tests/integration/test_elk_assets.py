"""The compose stack's ELK assets (elk/), checked as files: no Kibana,
Logstash or Elasticsearch needed. elk/check.py does the checking; these
tests run it on the real files, then show that it catches each kind of
mistake (bad field, wrong type, broken reference, bad index, loose tenant
pattern, no delete phase, no dead-letter queue, no Kibana import)."""
import copy
import importlib.util
import json
import subprocess
import sys

import pytest

from conftest import ROOT

ELK = ROOT / "elk"
SPEC = importlib.util.spec_from_file_location("elk_check", ELK / "check.py")
check = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(check)

MAPPING = check.Mapping.load(
    ELK / "elasticsearch/component-template-logs-mappings.json")
SAVED = (ELK / "kibana/saved-objects.ndjson").read_text()
CSV_CONF = (ELK / "logstash/pipeline/csv.conf").read_text()
JSON_CONF = (ELK / "logstash/pipeline/json.conf").read_text()
ILM = (ELK / "elasticsearch/ilm-policy-logs.json").read_text()


def objects():
    return [json.loads(line) for line in SAVED.splitlines()]


def ndjson(objs):
    return "".join(json.dumps(o) + "\n" for o in objs)


def find(objs, kind, oid=None):
    return next(o for o in objs if o["type"] == kind
                and (oid is None or o["id"] == oid))


def set_vis_state(obj, change):
    state = json.loads(obj["attributes"]["visState"])
    change(state)
    obj["attributes"]["visState"] = json.dumps(state)


# ------------------------------------------------------- the real files

def test_all_checks_pass_on_the_repository():
    assert check.check_all(ROOT) == []


def test_checker_script_exit_status():
    run = subprocess.run([sys.executable, str(ELK / "check.py"), str(ROOT)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "all checks passed" in run.stdout


def test_every_saved_object_line_is_json():
    lines = SAVED.splitlines()
    assert SAVED.endswith("\n")
    for line in lines:
        assert isinstance(json.loads(line), dict)


def test_saved_objects_hold_the_data_view_visualisations_and_dashboard():
    objs = objects()
    kinds = [o["type"] for o in objs]
    assert kinds.count("index-pattern") == 1
    assert kinds.count("visualization") >= 3
    assert kinds.count("dashboard") == 1
    view = find(objs, "index-pattern")
    assert view["attributes"]["title"] == "logs-*"
    assert view["attributes"]["timeFieldName"] == "@timestamp"
    dashboard = find(objs, "dashboard")
    panel_ids = {r["id"] for r in dashboard["references"]}
    vis_ids = {o["id"] for o in objs if o["type"] == "visualization"}
    assert panel_ids == vis_ids, "every visualisation is on the dashboard"


def test_visualisations_cover_level_service_and_http_fields():
    fields = set()
    for obj in objects():
        if obj["type"] == "visualization":
            for agg in json.loads(obj["attributes"]["visState"])["aggs"]:
                fields.add(agg.get("params", {}).get("field"))
    for field in ("@timestamp", "log.level", "service.name",
                  "http.response.status_code", "url.path"):
        assert field in fields
        assert MAPPING.aggregatable(field)


def test_pipelines_write_the_tenant_daily_index():
    for text in (CSV_CONF, JSON_CONF):
        config, errors = check.strip_config(text)
        assert errors == []
        assert check._string_setting(config, "index").count(
            "logs-%{[vigie][tenant]}-%{+YYYY.MM.dd}") == 1


@pytest.mark.parametrize("folder,tenant", [
    ("acme", "acme"), ("acme-corp", "acme-corp"), ("a1b", "a1b"),
    ("x" * 40, "x" * 40),
    ("Acme", None), ("ab", None), ("-acme", None), ("acme-", None),
    ("acme--corp", None), ("x" * 41, None), ("acme.corp", None),
    ("acme_corp", None), ("..", None)])
def test_tenant_comes_only_from_a_valid_slug_folder(folder, tenant):
    for text in (CSV_CONF, JSON_CONF):
        regex = check._tenant_regex(check.strip_config(text)[0])
        found = regex.search(f"/usr/share/logstash/uploads/{folder}/x.csv")
        assert (found.group("tenant") if found else None) == tenant
        assert regex.search(
            f"/usr/share/logstash/uploads/{folder}/sub/x.csv") is None


# ---------------------------------------- the checker catches mistakes

def test_checker_refuses_a_field_missing_from_the_mapping():
    objs = objects()
    vis = find(objs, "visualization", "vigie-vis-top-services")
    set_vis_state(vis, lambda s: s["aggs"][1]["params"].update(
        field="service.version"))
    errors = check.check_saved_objects(ndjson(objs), MAPPING)
    assert any("'service.version' is not in the mapping" in e for e in errors)


@pytest.mark.parametrize("field", ["message", "event.original",
                                   "user_agent.original.text"])
def test_checker_refuses_terms_on_a_field_that_cannot_be_aggregated(field):
    objs = objects()
    vis = find(objs, "visualization", "vigie-vis-top-url-paths")
    set_vis_state(vis, lambda s: [a["params"].update(field=field)
                                  for a in s["aggs"] if a["type"] == "terms"])
    errors = check.check_saved_objects(ndjson(objs), MAPPING)
    assert any(f"{field!r}" in e and "cannot be aggregated" in e
               for e in errors)


def test_checker_refuses_a_date_histogram_on_a_keyword():
    objs = objects()
    vis = find(objs, "visualization", "vigie-vis-volume-by-level")
    set_vis_state(vis, lambda s: [a["params"].update(field="log.level")
                                  for a in s["aggs"]
                                  if a["type"] == "date_histogram"])
    errors = check.check_saved_objects(ndjson(objs), MAPPING)
    assert any("date_histogram" in e and "is keyword" in e for e in errors)


def test_checker_refuses_a_query_on_an_unknown_field():
    objs = objects()
    vis = find(objs, "visualization", "vigie-vis-errors-by-service")
    meta = vis["attributes"]["kibanaSavedObjectMeta"]
    source = json.loads(meta["searchSourceJSON"])
    source["query"]["query"] = 'level : "error"'
    meta["searchSourceJSON"] = json.dumps(source)
    errors = check.check_saved_objects(ndjson(objs), MAPPING)
    assert any("the query names 'level'" in e for e in errors)


def test_checker_refuses_broken_references():
    objs = objects()
    find(objs, "visualization")["references"][0]["id"] = "no-such-view"
    dashboard = find(objs, "dashboard")
    dashboard["references"][0]["id"] = "no-such-vis"
    errors = check.check_saved_objects(ndjson(objs), MAPPING)
    assert any("data view 'no-such-view' is not in the file" in e
               for e in errors)
    assert any("'no-such-vis' is not in the file" in e for e in errors)


def test_checker_refuses_a_panel_without_reference_and_overlaps():
    objs = objects()
    dashboard = find(objs, "dashboard")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    panels[1]["gridData"].update(x=0, y=0)
    dashboard["attributes"]["panelsJSON"] = json.dumps(panels)
    dashboard["references"].pop()
    errors = check.check_dashboard(dashboard, {
        (o["type"], o["id"]): o for o in objs})
    assert any("overlap" in e for e in errors)
    assert any("no reference" in e for e in errors)


def test_checker_refuses_bad_ndjson_lines():
    errors = check.check_saved_objects(SAVED + "{not json\n\n", MAPPING)
    assert any("not JSON" in e for e in errors)
    assert any("empty line" in e for e in errors)
    assert check.check_saved_objects(SAVED.splitlines()[0] + "\n", MAPPING)


def test_checker_refuses_an_ilm_policy_without_delete():
    policy = json.loads(ILM)
    assert check.check_ilm(ILM) == []
    assert check.check_ilm("{") != []
    no_delete = copy.deepcopy(policy)
    del no_delete["policy"]["phases"]["delete"]
    assert any("no delete phase" in e for e in
               check.check_ilm(json.dumps(no_delete)))
    zero = copy.deepcopy(policy)
    zero["policy"]["phases"]["delete"]["min_age"] = "0d"
    assert check.check_ilm(json.dumps(zero)) != []


def test_checker_refuses_a_pipeline_writing_elsewhere():
    bad = CSV_CONF.replace('index => "logs-%{[vigie][tenant]}-%{+YYYY.MM.dd}"',
                           'index => "logs-%{[vigie][tenant]}"')
    errors = check.check_pipeline("csv.conf", bad, MAPPING, "csv")
    assert any("no output to logs-%{[vigie][tenant]}-%{+YYYY.MM.dd}" in e
               for e in errors)
    assert any("would land in a tenant's" in e for e in errors)


def test_checker_refuses_a_loose_tenant_pattern():
    bad = CSV_CONF.replace('"[a-z0-9]+(?:-[a-z0-9]+)*"', '"[a-z0-9-]+"')
    assert bad != CSV_CONF
    errors = check.check_pipeline("csv.conf", bad, MAPPING, "csv")
    assert any("the tenant grok accepts" in e for e in errors)


def test_checker_refuses_unknown_fields_and_unbalanced_blocks():
    bad = CSV_CONF.replace('"csv_level" => "[log][level]"',
                           '"csv_level" => "[log][severity]"')
    errors = check.check_pipeline("csv.conf", bad, MAPPING, "csv")
    assert any("'log.severity' is not in the mapping" in e for e in errors)
    bad = JSON_CONF.replace("filter {", "filter {{", 1)
    errors = check.check_pipeline("json.conf", bad, MAPPING, "json")
    assert any("left open" in e for e in errors)
    bad = JSON_CONF.replace("json {", "jsonx {")
    errors = check.check_pipeline("json.conf", bad, MAPPING, "json")
    assert "json.conf: no json plugin" in errors


def test_checker_refuses_settings_without_dead_letter_queue():
    pytest.importorskip("yaml")
    settings = (ELK / "logstash/config/logstash.yml").read_text()
    pipelines = (ELK / "logstash/config/pipelines.yml").read_text()
    pdir = ELK / "logstash/pipeline"
    assert check.check_logstash_settings(settings, pipelines, pdir) == []
    off = settings.replace("dead_letter_queue.enable: true",
                           "dead_letter_queue.enable: false")
    assert check.check_logstash_settings(off, pipelines, pdir) != []
    missing = pipelines.replace("pipeline/json.conf", "pipeline/nope.conf")
    errors = check.check_logstash_settings(settings, missing, pdir)
    assert any("nope.conf" in e for e in errors)


def test_checker_refuses_a_setup_without_kibana_import():
    script = (ELK / "setup.sh").read_text()
    assert check.check_setup_script(script) == []
    assert check.check_setup_script(script.replace("kbn-xsrf", "x-other")) != []
    assert check.check_setup_script(
        script.replace("_import?overwrite=true", "_import")) != []
    pytest.importorskip("yaml")
    compose = (ROOT / "docker-compose.yml").read_text()
    assert check.check_compose(compose) == []
    broken = compose.replace('command: ["kibana"]', 'command: ["elasticsearch"]')
    assert any("kibana-setup does not run" in e
               for e in check.check_compose(broken))


def test_pipelines_parse_with_a_logstash_grammar():
    """Optional: a PEG grammar of Logstash's config language (PyPI
    logstash-pipeline-parser). Logstash itself (-t) is not available here."""
    grammar = pytest.importorskip("logstash_pipeline_parser")
    for name in ("csv.conf", "json.conf"):
        pipeline = grammar.Pipeline.from_file(ELK / "logstash/pipeline" / name)
        pipeline.remove_type("path")  # keep path => [...] as plain strings
        sections = [section[0] for section in pipeline.parse()]
        assert sections == ["input", "filter", "output"]
    broken = grammar.Pipeline(CSV_CONF.replace("filter {", "filter {{", 1))
    with pytest.raises(Exception):
        broken.parse()

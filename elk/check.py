#!/usr/bin/env python3
"""Checks the files of elk/ against the log mapping, without any service.

The component template elasticsearch/component-template-logs-mappings.json
is the single source of truth for field names and types. This script
checks that:

- kibana/saved-objects.ndjson is one JSON object per line; the data view
  targets logs-* with a date time field; every visualisation aggregates
  only fields of the mapping whose type allows that aggregation, and its
  query names only fields of the mapping; every reference (visualisation
  -> data view, dashboard panel -> visualisation) resolves in the file;
- elasticsearch/ilm-policy-logs.json is a valid ILM policy with a delete
  phase;
- logstash/pipeline/{csv,json}.conf parse (balanced blocks), use the
  filters the ingestion needs (csv or json, date, mutate, grok), tag
  errors, write to logs-<tenant slug>-%{+YYYY.MM.dd} only when the upload
  folder is a valid tenant slug (the same rules as src/core/tenant.c), and
  name only fields of the mapping (or the few ECS fields Logstash adds,
  which the mapping's dynamic template turns into keywords);
- logstash.yml enables the dead-letter queue, pipelines.yml points at the
  pipeline files, and docker-compose.yml mounts them and runs setup.sh,
  which imports the saved objects into Kibana (these three need PyYAML;
  without it they are skipped with a note on stderr).

Usage: python3 elk/check.py [ROOT]  (ROOT: the repository, by default the
parent of this folder). Prints one line per problem; exit status 1 when
there is any, 0 otherwise. tests/integration/test_elk_assets.py runs it.
"""
import itertools
import json
import re
import sys
from pathlib import Path

try:
    import yaml
except ImportError:  # PyYAML: only the YAML files' checks need it
    yaml = None

ROOT = Path(__file__).resolve().parents[1]

TENANT_INDEX = "logs-%{[vigie][tenant]}-%{+YYYY.MM.dd}"
DATA_VIEW_TITLE = "logs-*"

AGGREGATABLE = {"keyword", "constant_keyword", "long", "integer", "short",
                "byte", "double", "float", "half_float", "scaled_float",
                "unsigned_long", "date", "date_nanos", "ip", "boolean"}
NUMERIC = {"long", "integer", "short", "byte", "double", "float",
           "half_float", "scaled_float", "unsigned_long"}
DATES = {"date", "date_nanos"}

# Field type each classic aggregation needs (None: any aggregatable type).
AGG_FIELD_TYPES = {
    "date_histogram": DATES, "date_range": DATES,
    "histogram": NUMERIC, "range": NUMERIC, "avg": NUMERIC, "sum": NUMERIC,
    "min": NUMERIC | DATES, "max": NUMERIC | DATES, "median": NUMERIC,
    "percentiles": NUMERIC, "percentile_ranks": NUMERIC,
    "std_dev": NUMERIC, "ip_range": {"ip"},
    "terms": None, "significant_terms": None, "cardinality": None,
    "top_hits": None, "top_metrics": None, "rare_terms": None,
    "multi_terms": None, "value_count": None,
}
FIELDLESS_AGGS = {"count", "filters", "filter"}

# Fields Logstash itself writes that the mapping does not list: ECS names
# the dynamic template strings_as_keyword maps as keywords.
LOGSTASH_DYNAMIC_FIELDS = {
    "log.file.path": "file input (ECS): the uploaded file",
    "source.address": "grok HTTPD_COMBINEDLOG (ECS): the client",
    "url.original": "grok HTTPD_COMBINEDLOG (ECS): the request target",
}
# Pipeline-local names: parsed into, then renamed or removed.
LOGSTASH_TEMPORARY = re.compile(r"^(csv_[a-z]+|timestamp|host)$")

REQUIRED_FILTERS = {
    "csv": {"file", "csv", "date", "mutate", "grok", "elasticsearch"},
    "json": {"file", "json", "date", "mutate", "grok", "elasticsearch"},
}

# The syntax rules of src/core/tenant.c (tenant_slug_check), reserved
# words aside: a reserved folder name only makes an index no tenant owns.
SLUG_MIN, SLUG_MAX = 3, 40


def slug_syntax_ok(slug):
    """The syntax part of tenant_slug_check()."""
    if not SLUG_MIN <= len(slug) <= SLUG_MAX:
        return False
    if any(c not in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in slug):
        return False
    return slug[0] != "-" and slug[-1] != "-" and "--" not in slug


class Mapping:
    """The flattened mapping: dotted field name -> its mapping object."""

    def __init__(self, component):
        self.fields = {}
        mappings = component["template"]["mappings"]
        self._walk(mappings.get("properties", {}), "")

    @classmethod
    def load(cls, path):
        return cls(json.loads(Path(path).read_text()))

    def _walk(self, properties, prefix):
        for name, spec in properties.items():
            path = prefix + name
            self.fields[path] = spec
            if "properties" in spec:
                self._walk(spec["properties"], path + ".")
            for sub, subspec in spec.get("fields", {}).items():
                self.fields[f"{path}.{sub}"] = subspec

    def type_of(self, field):
        spec = self.fields.get(field)
        if spec is None:
            return None
        return spec.get("type", "object")

    def aggregatable(self, field):
        spec = self.fields.get(field)
        return (spec is not None and spec.get("type") in AGGREGATABLE and
                spec.get("doc_values", True) is not False)

    def searchable(self, field):
        spec = self.fields.get(field)
        return (spec is not None and spec.get("type", "object") != "object"
                and spec.get("index", True) is not False)


# ---------------------------------------------------------------- Kibana

KQL_FIELD = re.compile(r'(?:^|[\s(])([@A-Za-z_][\w.@-]*)\s*(?::|<=|>=|<|>)')


def kql_fields(query):
    """Field names of a KQL query (values in quotes are skipped)."""
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', query)
    return KQL_FIELD.findall(unquoted)


def _json_attr(obj, errors, where, *path):
    value = obj
    for key in path:
        if not isinstance(value, dict) or key not in value:
            errors.append(f"{where}: no {'.'.join(path)}")
            return None
        value = value[key]
    if not isinstance(value, str):
        errors.append(f"{where}: {'.'.join(path)} is not a JSON string")
        return None
    try:
        return json.loads(value)
    except ValueError as exc:
        errors.append(f"{where}: {'.'.join(path)} is not JSON: {exc}")
        return None


def _check_query(source, mapping, where, errors):
    query = (source.get("query") or {}).get("query", "")
    if not isinstance(query, str):
        errors.append(f"{where}: the query is not KQL text")
        return
    for field in kql_fields(query):
        if not mapping.searchable(field):
            errors.append(f"{where}: the query names {field!r}, which the "
                          "mapping does not index")
    for flt in source.get("filter", []):
        key = (flt.get("meta") or {}).get("key")
        if key and not mapping.searchable(key):
            errors.append(f"{where}: a filter names {key!r}, which the "
                          "mapping does not index")


def _check_search_source(obj, mapping, by_id, where, errors):
    source = _json_attr(obj, errors, where, "attributes",
                        "kibanaSavedObjectMeta", "searchSourceJSON")
    if source is None:
        return
    ref_name = source.get("indexRefName")
    refs = {r.get("name"): r for r in obj.get("references", [])}
    if ref_name is None or ref_name not in refs:
        errors.append(f"{where}: no data view reference (indexRefName)")
    else:
        target = by_id.get((refs[ref_name].get("type"), refs[ref_name].get("id")))
        if target is None or target["type"] != "index-pattern":
            errors.append(f"{where}: data view {refs[ref_name].get('id')!r} "
                          "is not in the file")
        elif target["attributes"].get("title") != DATA_VIEW_TITLE:
            errors.append(f"{where}: the data view is not {DATA_VIEW_TITLE}")
    _check_query(source, mapping, where, errors)


def check_visualization(obj, mapping, by_id):
    """Problems of one classic (visState) visualisation."""
    where = f"visualization {obj.get('id')}"
    errors = []
    state = _json_attr(obj, errors, where, "attributes", "visState")
    if state is None:
        return errors
    if state.get("title") != obj["attributes"].get("title"):
        errors.append(f"{where}: visState.title differs from the title")
    aggs = state.get("aggs")
    if not isinstance(aggs, list) or not aggs:
        errors.append(f"{where}: no aggregations")
        aggs = []
    for agg in aggs:
        kind = agg.get("type")
        field = (agg.get("params") or {}).get("field")
        label = f"{where}: {kind} aggregation {agg.get('id')}"
        if kind in FIELDLESS_AGGS:
            for flt in (agg.get("params") or {}).get("filters", []):
                _check_query({"query": flt.get("input", {})}, mapping, label,
                             errors)
            continue
        if kind not in AGG_FIELD_TYPES:
            errors.append(f"{label}: unknown aggregation type")
            continue
        if not field:
            errors.append(f"{label}: no field")
            continue
        ftype = mapping.type_of(field)
        if ftype is None:
            errors.append(f"{label}: field {field!r} is not in the mapping")
        elif not mapping.aggregatable(field):
            errors.append(f"{label}: field {field!r} ({ftype}) cannot be "
                          "aggregated")
        elif AGG_FIELD_TYPES[kind] and ftype not in AGG_FIELD_TYPES[kind]:
            errors.append(f"{label}: field {field!r} is {ftype}, not one of "
                          f"{sorted(AGG_FIELD_TYPES[kind])}")
    _check_search_source(obj, mapping, by_id, where, errors)
    return errors


def _overlap(a, b):
    return (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and
            a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])


def check_dashboard(obj, by_id):
    """Problems of a dashboard: every panel resolves to a visualisation."""
    where = f"dashboard {obj.get('id')}"
    errors = []
    panels = _json_attr(obj, errors, where, "attributes", "panelsJSON")
    if panels is None:
        return errors
    refs = {r.get("name"): r for r in obj.get("references", [])}
    seen, grids, used = set(), [], set()
    for panel in panels:
        index = panel.get("panelIndex")
        ref_name = panel.get("panelRefName")
        if not index or index in seen:
            errors.append(f"{where}: panel {index!r} has no unique panelIndex")
        seen.add(index)
        # Kibana 8.9+ prefixes the reference with the panel index.
        ref = refs.get(f"{index}:{ref_name}") or refs.get(ref_name)
        if ref is None:
            errors.append(f"{where}: panel {index}: no reference {ref_name!r}")
            continue
        used.add(ref["name"])
        target = by_id.get((ref.get("type"), ref.get("id")))
        if target is None:
            errors.append(f"{where}: panel {index}: {ref.get('type')} "
                          f"{ref.get('id')!r} is not in the file")
        elif panel.get("type") != target["type"]:
            errors.append(f"{where}: panel {index}: type {panel.get('type')!r}"
                          f" but the reference is a {target['type']}")
        grid = panel.get("gridData", {})
        if not all(isinstance(grid.get(k), int) for k in "xywh") or \
                grid["x"] < 0 or grid["y"] < 0 or grid["w"] < 1 or \
                grid["h"] < 1 or grid["x"] + grid["w"] > 48:
            errors.append(f"{where}: panel {index}: bad gridData {grid}")
            continue
        for other_index, other in grids:
            if _overlap(grid, other):
                errors.append(f"{where}: panels {other_index} and {index} "
                              "overlap")
        grids.append((index, grid))
    for name in set(refs) - used:
        errors.append(f"{where}: reference {name!r} is used by no panel")
    visualisations = sum(1 for r in refs.values()
                         if r.get("type") == "visualization")
    if visualisations < 3:
        errors.append(f"{where}: {visualisations} visualisations (3 at least)")
    _json_attr(obj, errors, where, "attributes", "optionsJSON")
    return errors


def check_saved_objects(text, mapping):
    """Problems of kibana/saved-objects.ndjson (its text)."""
    errors, objects = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            errors.append(f"saved objects line {number}: empty line")
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            errors.append(f"saved objects line {number}: not JSON: {exc}")
            continue
        if not isinstance(obj, dict) or not all(
                k in obj for k in ("id", "type", "attributes", "references")):
            errors.append(f"saved objects line {number}: not a saved object")
            continue
        objects.append(obj)
    by_id = {}
    for obj in objects:
        key = (obj["type"], obj["id"])
        if key in by_id:
            errors.append(f"{obj['type']} {obj['id']}: defined twice")
        by_id[key] = obj
    views = [o for o in objects if o["type"] == "index-pattern"]
    if [v["attributes"].get("title") for v in views] != [DATA_VIEW_TITLE]:
        errors.append(f"saved objects: expected one data view {DATA_VIEW_TITLE}")
    for view in views:
        time_field = view["attributes"].get("timeFieldName")
        if mapping.type_of(time_field) not in DATES:
            errors.append(f"data view {view['id']}: time field {time_field!r}"
                          " is not a date of the mapping")
    kinds = {}
    for obj in objects:
        kinds[obj["type"]] = kinds.get(obj["type"], 0) + 1
        if obj["type"] == "visualization":
            errors += check_visualization(obj, mapping, by_id)
        elif obj["type"] == "dashboard":
            errors += check_dashboard(obj, by_id)
        elif obj["type"] != "index-pattern":
            errors.append(f"{obj['type']} {obj['id']}: unexpected type")
    if kinds.get("visualization", 0) < 3:
        errors.append("saved objects: fewer than 3 visualisations")
    if kinds.get("dashboard", 0) < 1:
        errors.append("saved objects: no dashboard")
    return errors


# ------------------------------------------------------------------- ILM

AGE = re.compile(r"^(\d+)(d|h|m|s|ms|micros|nanos)$")
AGE_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 1e-3,
               "micros": 1e-6, "nanos": 1e-9}
PHASES = ["hot", "warm", "cold", "frozen", "delete"]


def check_ilm(text):
    """Problems of an ILM policy body (PUT _ilm/policy/<name>)."""
    try:
        body = json.loads(text)
    except ValueError as exc:
        return [f"ILM policy: not JSON: {exc}"]
    phases = (body.get("policy") or {}).get("phases")
    if not isinstance(phases, dict) or not phases:
        return ["ILM policy: no policy.phases"]
    errors, last = [], -1.0
    for name in phases:
        if name not in PHASES:
            errors.append(f"ILM policy: unknown phase {name!r}")
    for name in [p for p in PHASES if p in phases]:
        phase = phases[name]
        match = AGE.match(str(phase.get("min_age", "0ms")))
        if not match:
            errors.append(f"ILM policy: phase {name}: bad min_age")
            continue
        age = int(match.group(1)) * AGE_SECONDS[match.group(2)]
        if age < last:
            errors.append(f"ILM policy: phase {name} starts before the last")
        last = age
        if not isinstance(phase.get("actions"), dict):
            errors.append(f"ILM policy: phase {name}: no actions")
    delete = phases.get("delete") or {}
    if "delete" not in (delete.get("actions") or {}):
        errors.append("ILM policy: no delete phase with a delete action")
    elif not AGE.match(str(delete.get("min_age", ""))) or \
            int(AGE.match(delete["min_age"]).group(1)) == 0:
        errors.append("ILM policy: the delete phase needs a min_age above 0")
    return errors


# -------------------------------------------------------------- Logstash

def strip_config(text, blank=False):
    """The config without comments, and its problems (balance, quotes).

    Strings and /regex/ operands are kept as they are (emptied if blank);
    their braces do not count.
    """
    out, stack, errors = [], [], []
    i, n = 0, len(text)
    pairs = {"}": "{", "]": "["}
    while i < n:
        c = text[i]
        if c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if c in "\"'" or (c == "/" and re.search(r"[=!]~\s*$", "".join(out[-8:]))):
            end = i + 1
            while end < n and text[end] != c:
                end += 2 if text[end] == "\\" else 1
            if end >= n:
                errors.append(f"unterminated {c} at offset {i}")
                break
            out.append(c + c if blank else text[i:end + 1])
            i = end + 1
            continue
        if c in "{[":
            stack.append(c)
        elif c in "}]":
            if not stack or stack.pop() != pairs[c]:
                errors.append(f"unbalanced {c} at offset {i}")
        out.append(c)
        i += 1
    if stack:
        errors.append(f"{len(stack)} block(s) left open")
    return "".join(out), errors


FIELD_REF = re.compile(r"((?:\[[A-Za-z_@][A-Za-z0-9_@]*\])+)")
GROK_CAPTURE = re.compile(r"%\{[A-Z0-9_]+:([^}:]+)(?::[a-z]+)?\}")


def _dotted(ref):
    return ".".join(re.findall(r"\[([^\]]+)\]", ref)) if ref.startswith("[") \
        else ref


def _string_setting(config, name):
    return re.findall(name + r'\s*=>\s*"((?:[^"\\]|\\.)*)"', config)


def _tenant_regex(config):
    """The Python regex equivalent to the tenant grok, or None."""
    defs = re.search(r'"VIGIE_TENANT"\s*=>\s*"((?:[^"\\]|\\.)*)"', config)
    match = re.search(r'"\[log\]\[file\]\[path\]"\s*=>\s*"((?:[^"\\]|\\.)*)"',
                      config)
    if not defs or not match or \
            "%{VIGIE_TENANT:[vigie][tenant]}" not in match.group(1):
        return None
    pattern = match.group(1).replace("%{VIGIE_TENANT:[vigie][tenant]}",
                                     "(?P<tenant>" + defs.group(1) + ")")
    return re.compile(pattern)


def _slug_samples():
    alphabet = "a0-A._"
    for length in range(0, 6):
        for chars in itertools.product(alphabet, repeat=length):
            yield "".join(chars)
    for length in (38, 39, 40, 41, 42):
        yield "a" * length
        yield "a-" * (length // 2) + "b" * (length % 2)
        yield "a" * (length - 1) + "-"
    yield "acme-corp"
    yield "acme--corp"


def check_tenant_grok(config, name):
    """The upload folder becomes the tenant exactly when it is a slug."""
    regex = _tenant_regex(config)
    if regex is None:
        return [f"{name}: no grok taking [vigie][tenant] from the folder of "
                "[log][file][path] with a VIGIE_TENANT pattern"]
    errors = []
    for slug in _slug_samples():
        for path in (f"/usr/share/logstash/uploads/{slug}/app.csv",
                     f"/usr/share/logstash/uploads/{slug}/sub/app.csv"):
            found = regex.search(path)
            want = slug_syntax_ok(slug) and "/sub/" not in path
            if bool(found) != want or (found and found.group("tenant") != slug):
                errors.append(f"{name}: the tenant grok "
                              f"{'accepts' if found else 'refuses'} {path!r}")
                return errors
    return errors


def check_pipeline(name, text, mapping, kind):
    """Problems of one Logstash pipeline file (kind: csv or json)."""
    config, errors = strip_config(text)
    errors = [f"{name}: {e}" for e in errors]
    for section in ("input", "filter", "output"):
        if not re.search(r"(^|\n)" + section + r"\s*\{", config):
            errors.append(f"{name}: no {section} section")
    skeleton, _ = strip_config(text, blank=True)
    plugins = set(re.findall(r"(?<![\w\]\"'])([a-z_]+)\s*\{", skeleton))
    for plugin in sorted(REQUIRED_FILTERS[kind] - plugins):
        errors.append(f"{name}: no {plugin} plugin")
    if not re.search(r'add_tag\s*=>\s*\[\s*"error"\s*\]', config):
        errors.append(f"{name}: no error tagging (add_tag => [\"error\"])")
    if not re.search(r'tag_on_failure\s*=>\s*\[\s*"_dateparsefailure"', config):
        errors.append(f"{name}: date failures are not tagged")
    indices = _string_setting(config, "index")
    if TENANT_INDEX not in indices:
        errors.append(f"{name}: no output to {TENANT_INDEX}")
    for index in indices:
        if index != TENANT_INDEX and index.startswith("logs-"):
            errors.append(f"{name}: output {index!r} would land in a tenant's"
                          " logs-* indices")
    if not re.search(r"if\s+\[vigie\]\[tenant\]\s*\{", config):
        errors.append(f"{name}: the tenant output is not conditional on "
                      "[vigie][tenant]")
    for setting in ("manage_template => false", "ilm_enabled => false",
                    "data_stream => false"):
        if len(re.findall(setting.replace(" ", r"\s*"), config)) < len(indices):
            errors.append(f"{name}: not every output has {setting}")
    for target in _string_setting(config, "target"):
        field = _dotted(target)
        if field == "@timestamp" or field.startswith("@metadata"):
            continue
        if field.startswith("vigie.") and mapping.type_of(field) is None:
            errors.append(f"{name}: target {field!r} is not in the mapping")
    if "@timestamp" not in _string_setting(config, "target") or \
            mapping.type_of("@timestamp") not in DATES:
        errors.append(f"{name}: no date filter writing @timestamp (a date)")
    errors += check_tenant_grok(config, name)
    errors += check_field_names(name, config, mapping)
    return errors


def check_field_names(name, config, mapping):
    """Every field the pipeline names is in the mapping, or accounted for."""
    errors, fields = [], set()
    for ref in FIELD_REF.findall(config):
        fields.add(_dotted(ref))
    for capture in GROK_CAPTURE.findall(config):
        fields.add(_dotted(capture))
    for pair in re.findall(r'"([^"\s]+)"\s*=>\s*"(\[[^"]+\])"', config):
        fields.update(_dotted(p) for p in pair)
    for field in sorted(fields):
        root = field.split(".")[0]
        if root == "@metadata" or LOGSTASH_TEMPORARY.match(field) or \
                field in LOGSTASH_DYNAMIC_FIELDS or field.startswith("labels."):
            continue
        if mapping.type_of(field) is None:
            errors.append(f"{name}: field {field!r} is not in the mapping")
    for ref in re.findall(r"((?:\[[A-Za-z0-9_@]+\])+)\s*(?:>=|<=|>|<)\s*\d",
                          config):
        if mapping.type_of(_dotted(ref)) not in NUMERIC:
            errors.append(f"{name}: {ref} is compared as a number but is not "
                          "numeric in the mapping")
    return errors


def check_ruby(text, mapping):
    """The JSON mapping script coerces to integers only numeric fields."""
    errors = []
    found = re.search(r"INTEGER_FIELDS\s*=\s*\[([^\]]*)\]", text)
    if not found:
        return ["json_to_ecs.rb: no INTEGER_FIELDS"]
    for field in re.findall(r'"([^"]+)"', found.group(1)):
        if mapping.type_of(field) not in NUMERIC:
            errors.append(f"json_to_ecs.rb: {field!r} is not numeric in the "
                          "mapping")
    for field in re.findall(r'=>\s*"([a-z_]+\.[a-z_.]+)"', text):
        if mapping.type_of(field) is None:
            errors.append(f"json_to_ecs.rb: alias target {field!r} is not in "
                          "the mapping")
    return errors


def check_logstash_settings(settings_text, pipelines_text, pipeline_dir):
    """logstash.yml enables the DLQ; pipelines.yml names existing files."""
    errors = []
    settings = yaml.safe_load(settings_text) or {}
    if settings.get("dead_letter_queue.enable") is not True:
        errors.append("logstash.yml: dead_letter_queue.enable is not true")
    if settings.get("pipeline.ecs_compatibility") != "v8":
        errors.append("logstash.yml: pipeline.ecs_compatibility is not v8 "
                      "(the pipelines use ECS field names)")
    pipelines = yaml.safe_load(pipelines_text) or []
    if not isinstance(pipelines, list) or not pipelines:
        return errors + ["pipelines.yml: no pipelines"]
    named = set()
    for entry in pipelines:
        path = str(entry.get("path.config", ""))
        prefix = "/usr/share/logstash/pipeline/"
        if not path.startswith(prefix) or \
                not (Path(pipeline_dir) / path[len(prefix):]).is_file():
            errors.append(f"pipelines.yml: {entry.get('pipeline.id')}: "
                          f"{path!r} is not a file of logstash/pipeline/")
        named.add(path[len(prefix):])
        if entry.get("dead_letter_queue.enable") is False:
            errors.append(f"pipelines.yml: {entry.get('pipeline.id')} turns "
                          "the dead-letter queue off")
    for kind in REQUIRED_FILTERS:
        if f"{kind}.conf" not in named:
            errors.append(f"pipelines.yml: {kind}.conf is not run")
    return errors


# ------------------------------------------------- compose and setup.sh

def check_setup_script(text):
    """setup.sh imports the saved objects the way Kibana requires."""
    errors = []
    if not re.search(r"/api/saved_objects/_import\?overwrite=true", text):
        errors.append("setup.sh: no POST to /api/saved_objects/_import"
                      "?overwrite=true")
    if not re.search(r"-H\s+'kbn-xsrf:", text):
        errors.append("setup.sh: no kbn-xsrf header")
    if "kibana/saved-objects.ndjson" not in text or \
            not re.search(r'--form\s+"file=@', text):
        errors.append("setup.sh: saved-objects.ndjson is not sent as the "
                      "multipart field file")
    if not re.search(r"-X POST[^\n]*_import", text):
        errors.append("setup.sh: the import is not a POST")
    return errors


def check_compose(text):
    """The compose stack mounts elk/ and runs both one-shot set-up jobs."""
    errors = []
    services = (yaml.safe_load(text) or {}).get("services", {})
    for job, arg, needs in (("elk-setup", "elasticsearch", "elasticsearch"),
                            ("kibana-setup", "kibana", "kibana")):
        svc = services.get(job)
        if svc is None:
            errors.append(f"docker-compose.yml: no {job} service")
            continue
        run = list(svc.get("entrypoint") or []) + list(svc.get("command") or [])
        if "/elk/setup.sh" not in run or arg not in run:
            errors.append(f"docker-compose.yml: {job} does not run "
                          f"/elk/setup.sh {arg}")
        if not any(str(v).startswith("./elk:/elk") for v in svc.get("volumes", [])):
            errors.append(f"docker-compose.yml: {job} does not mount ./elk")
        dep = (svc.get("depends_on") or {}).get(needs) or {}
        if dep.get("condition") != "service_healthy":
            errors.append(f"docker-compose.yml: {job} does not wait for "
                          f"{needs} to be healthy")
        if str(svc.get("restart", "no")) != "no":
            errors.append(f"docker-compose.yml: {job} is not one-shot")
    logstash = services.get("logstash") or {}
    volumes = [str(v) for v in logstash.get("volumes", [])]
    for want in ("./elk/logstash/config/logstash.yml:/usr/share/logstash/config/logstash.yml",
                 "./elk/logstash/config/pipelines.yml:/usr/share/logstash/config/pipelines.yml",
                 "./elk/logstash/pipeline:/usr/share/logstash/pipeline"):
        if not any(v.startswith(want) for v in volumes):
            errors.append(f"docker-compose.yml: logstash does not mount {want}")
    if not any(v.split(":")[-2:-1] == ["/usr/share/logstash/uploads"] or
               ":/usr/share/logstash/uploads" in v for v in volumes):
        errors.append("docker-compose.yml: logstash does not mount the uploads")
    if not any(v.endswith(":/usr/share/logstash/data") for v in volumes):
        errors.append("docker-compose.yml: the dead-letter queue (Logstash "
                      "data) is not on a volume")
    return errors


# ------------------------------------------------------------------ all

def check_all(root=ROOT):
    """Every problem of elk/ (and of the compose file's ELK services)."""
    root = Path(root)
    elk = root / "elk"
    mapping = Mapping.load(elk / "elasticsearch/component-template-logs-mappings.json")
    errors = []
    template = json.loads((elk / "elasticsearch/index-template-logs.json").read_text())
    if DATA_VIEW_TITLE not in template.get("index_patterns", []):
        errors.append(f"index template: does not cover {DATA_VIEW_TITLE}")
    errors += check_saved_objects(
        (elk / "kibana/saved-objects.ndjson").read_text(), mapping)
    errors += check_ilm((elk / "elasticsearch/ilm-policy-logs.json").read_text())
    pipeline_dir = elk / "logstash/pipeline"
    for kind in REQUIRED_FILTERS:
        errors += check_pipeline(f"{kind}.conf",
                                 (pipeline_dir / f"{kind}.conf").read_text(),
                                 mapping, kind)
    json_conf = (pipeline_dir / "json.conf").read_text()
    for path in re.findall(r'path\s*=>\s*"/usr/share/logstash/pipeline/([^"]+)"',
                           json_conf):
        if not (pipeline_dir / path).is_file():
            errors.append(f"json.conf: script {path} is not in logstash/pipeline/")
    errors += check_ruby((pipeline_dir / "ruby/json_to_ecs.rb").read_text(), mapping)
    errors += check_setup_script((elk / "setup.sh").read_text())
    if yaml is None:
        print("elk/check.py: PyYAML is missing: logstash.yml, pipelines.yml "
              "and docker-compose.yml not checked", file=sys.stderr)
        return errors
    errors += check_logstash_settings(
        (elk / "logstash/config/logstash.yml").read_text(),
        (elk / "logstash/config/pipelines.yml").read_text(), pipeline_dir)
    errors += check_compose((root / "docker-compose.yml").read_text())
    return errors


def main(argv):
    root = Path(argv[1]) if len(argv) > 1 else ROOT
    errors = check_all(root)
    for error in errors:
        print(error)
    if not errors:
        print("elk: all checks passed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

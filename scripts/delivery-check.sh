#!/usr/bin/env bash
# Static checks of what ships Vigie, without Docker, a cluster or network:
#
#   actionlint  .github/workflows/*.yml with actionlint
#   helm        helm lint --strict and helm template | kubeconform -strict for
#               values.yaml, values-staging.yaml and values-production.yaml,
#               on each Kubernetes version of K8S_VERSIONS
#   compose     docker-compose.yml with composecheck (tools/composecheck:
#               compose-go, the loader of `docker compose config`), with
#               and without the tls profile
#   tests       tests/delivery (pytest): what the files must contain
#               (health checks, probes, rollbacks, ...) on top of validity
#
#   scripts/delivery-check.sh [actionlint|helm|compose|tests]...  (none: all)
#
# kubeconform's schemas: kubeconform downloads them from GitHub by default,
# which this project may not do. The PyPI package kubernetes-validate
# (tests/requirements.txt) ships the JSON schemas of Kubernetes 1.25-1.37
# generated from the Kubernetes OpenAPI documents; their $refs point at
# "/api/_definitions.json". We copy one version into build/k8s-schemas/,
# rewriting those refs to the copied file, and give kubeconform that folder
# as its only -schema-location: no download, and a missing schema is an
# error (no -ignore-missing-schemas). A deliberately wrong manifest must
# be rejected first, so a broken schema folder cannot pass silently.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VIGIE_ROOT"

BIN="$VIGIE_ROOT/.cache/bin"
PY="$VIGIE_ROOT/.venv/bin/python"
K8S_VERSIONS=${K8S_VERSIONS:-"1.29.0 1.33.0"}
CHART=helm/vigie
SCHEMAS="$VIGIE_ROOT/build/k8s-schemas"

need() {
	[ -x "$1" ] || die "$1 not found: run scripts/install.sh (component: ${2:-delivery})"
}

check_actionlint() {
	need "$BIN/actionlint"
	say "actionlint ($("$BIN/actionlint" -version | head -1)) on .github/workflows"
	"$BIN/actionlint" -no-color .github/workflows/*.yml
	say "actionlint: $(ls .github/workflows/*.yml | wc -l) workflows, no finding"
}

# k8s_schemas VERSION: build/k8s-schemas/vVERSION-standalone-strict/ from the
# kubernetes-validate package; prints nothing, dies if the version is absent.
k8s_schemas() {
	local version=$1 src dst pkg
	need "$PY" venv
	pkg=$("$PY" -c 'import kubernetes_validate, os; print(os.path.dirname(kubernetes_validate.__file__))') ||
		die "kubernetes-validate is not installed in .venv (scripts/install.sh venv)"
	src="$pkg/kubernetes-json-schema/v$version-local-strict"
	[ -d "$src" ] || die "kubernetes-validate has no schemas for Kubernetes $version"
	dst="$SCHEMAS/v$version-standalone-strict"
	if [ -f "$dst/.from" ] && [ "$(cat "$dst/.from")" = "$src" ]; then
		return 0
	fi
	rm -rf "$dst"
	mkdir -p "$dst.part"
	for f in "$src"/*.json; do
		sed "s#\"/api/_definitions.json#\"file://$dst/_definitions.json#g" \
			"$f" >"$dst.part/${f##*/}"
	done
	echo "$src" >"$dst.part/.from"
	mv "$dst.part" "$dst"
}

kubeconform_run() {
	local version=$1
	shift
	"$BIN/kubeconform" -strict -summary -kubernetes-version "$version" \
		-schema-location "$SCHEMAS/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
		"$@"
}

check_helm() {
	local version values out
	need "$BIN/helm"
	need "$BIN/kubeconform"
	mkdir -p build/helm
	for values in "$CHART"/values.yaml "$CHART"/values-staging.yaml "$CHART"/values-production.yaml; do
		say "helm lint --strict $values"
		"$BIN/helm" lint --strict "$CHART" -f "$values" >build/helm/lint.log 2>&1 ||
			{ cat build/helm/lint.log; die "helm lint failed for $values"; }
	done
	for version in $K8S_VERSIONS; do
		k8s_schemas "$version"
		# Control: a Deployment with a string for replicas and an unknown
		# field must fail, or the schemas are not really in use.
		if printf '%s\n' 'apiVersion: apps/v1' 'kind: Deployment' \
			'metadata: {name: control}' \
			'spec: {replicas: "two", bogus: 1, selector: {}, template: {}}' |
			kubeconform_run "$version" - >/dev/null 2>&1; then
			die "kubeconform accepted a wrong Deployment: the schemas are not in use"
		fi
		for values in "$CHART"/values.yaml "$CHART"/values-staging.yaml "$CHART"/values-production.yaml; do
			out="build/helm/$(basename "$values" .yaml)-$version.yaml"
			"$BIN/helm" template vigie "$CHART" --namespace vigie \
				--kube-version "$version" -f "$values" >"$out"
			say "kubeconform (Kubernetes $version) $values"
			kubeconform_run "$version" "$out"
		done
	done
}

check_compose() {
	need "$BIN/composecheck"
	# The stack refuses to start without a JWT secret (${VAR:?}): give it a
	# placeholder, and an empty .env so that a developer's own .env does
	# not decide the result.
	local env
	env=$(mktemp)
	trap 'rm -f "$env"' RETURN
	echo 'VIGIE_JWT_SECRET=compose-check-placeholder-0123456789abcdef' >"$env"
	say "composecheck docker-compose.yml"
	"$BIN/composecheck" -q -env-file "$env" docker-compose.yml
	say "composecheck docker-compose.yml --profile tls"
	"$BIN/composecheck" -q -env-file "$env" -profile tls docker-compose.yml
	# Without the secret the configuration must be refused.
	if env -u VIGIE_JWT_SECRET "$BIN/composecheck" -q -env-file /dev/null \
		docker-compose.yml >/dev/null 2>&1; then
		die "docker-compose.yml accepted a missing VIGIE_JWT_SECRET"
	fi
}

check_tests() {
	need "$PY" venv
	say "tests/delivery"
	"$PY" -m pytest -q -p no:cacheprovider tests/delivery
}

if [ "$#" -eq 0 ]; then
	set -- actionlint helm compose tests
fi
for part in "$@"; do
	case "$part" in
	actionlint) check_actionlint ;;
	helm) check_helm ;;
	compose) check_compose ;;
	tests) check_tests ;;
	*) die "unknown check $part (actionlint, helm, compose, tests)" ;;
	esac
done

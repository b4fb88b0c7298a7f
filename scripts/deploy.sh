#!/usr/bin/env bash
# Deploys the Helm chart to one environment, checks it, and rolls back a
# release that deployed but does not answer. Used by
# .github/workflows/deploy-staging.yml and deploy-production.yml.
#
#   scripts/deploy.sh ENVIRONMENT IMAGE_TAG
#
# ENVIRONMENT is staging or production: values helm/vigie/values-<env>.yaml,
# namespace vigie-<env> (DEPLOY_NAMESPACE overrides), release "vigie".
#
#  1. helm upgrade --install --atomic --wait: if the new pods do not become
#     ready (readiness probe on /health) within DEPLOY_TIMEOUT, helm itself
#     rolls the release back to the previous revision and this fails;
#  2. smoke test: `helm test` (a pod of the chart asks the Service for
#     /health), then GET $VIGIE_PUBLIC_URL/health from outside, through the
#     Ingress, until it answers 200 (healthy or degraded) or SMOKE_TRIES run
#     out;
#  3. a failed smoke test rolls the release back to the revision that was
#     deployed before (helm rollback --wait) and fails the job. On a first
#     install there is nothing to go back to: the job fails and says so.
#
# Environment: KUBECONFIG (the cluster), VIGIE_IMAGE_REPOSITORY (default
# ghcr.io/$GITHUB_REPOSITORY, lower-cased), VIGIE_PUBLIC_URL (optional: no
# external check without it), DEPLOY_TIMEOUT (10m), SMOKE_TRIES (20),
# SMOKE_DELAY_S (6), HELM (helm), CURL (curl).
set -euo pipefail

usage() {
	echo "usage: $0 staging|production IMAGE_TAG" >&2
	exit 2
}
[ "$#" -eq 2 ] || usage
environment=$1
tag=$2
case "$environment" in staging | production) ;; *) usage ;; esac
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || {
	echo "deploy: invalid image tag '$tag'" >&2
	exit 2
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
chart="$root/helm/vigie"
values="$chart/values-$environment.yaml"
release=vigie
namespace=${DEPLOY_NAMESPACE:-vigie-$environment}
repository=${VIGIE_IMAGE_REPOSITORY:-ghcr.io/${GITHUB_REPOSITORY:-vigie/vigie}}
repository=${repository,,}
timeout=${DEPLOY_TIMEOUT:-10m}
tries=${SMOKE_TRIES:-20}
delay=${SMOKE_DELAY_S:-6}
HELM=${HELM:-helm}
CURL=${CURL:-curl}

say() { printf '==> deploy %s: %s\n' "$environment" "$*"; }

# The revision currently deployed, empty when there is none.
deployed_revision() {
	"$HELM" status "$release" --namespace "$namespace" --output json 2>/dev/null |
		python3 -c 'import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
if d.get("info", {}).get("status") == "deployed":
    print(d["version"])'
}

previous=$(deployed_revision || true)
say "release $release in $namespace, image $repository:$tag (deployed revision before: ${previous:-none})"

"$HELM" upgrade --install "$release" "$chart" \
	--namespace "$namespace" --create-namespace \
	--values "$values" \
	--set-string image.repository="$repository" \
	--set-string image.tag="$tag" \
	--atomic --wait --timeout "$timeout" \
	--history-max 20

smoke() {
	local i code
	say "smoke test: helm test"
	"$HELM" test "$release" --namespace "$namespace" --timeout 5m --logs || return 1
	if [ -z "${VIGIE_PUBLIC_URL:-}" ]; then
		say "smoke test: VIGIE_PUBLIC_URL not set, no check from outside"
		return 0
	fi
	for ((i = 1; i <= tries; i++)); do
		code=$("$CURL" -sS -o /dev/null -w '%{http_code}' -m 10 \
			"${VIGIE_PUBLIC_URL%/}/health" || true)
		if [ "$code" = 200 ]; then
			say "smoke test: ${VIGIE_PUBLIC_URL%/}/health answered 200 (try $i)"
			return 0
		fi
		say "smoke test: ${VIGIE_PUBLIC_URL%/}/health answered '${code:-nothing}' (try $i/$tries)"
		sleep "$delay"
	done
	return 1
}

if smoke; then
	say "done: $repository:$tag is live"
	exit 0
fi

if [ -n "$previous" ]; then
	say "smoke test FAILED: rolling back to revision $previous"
	"$HELM" rollback "$release" "$previous" --namespace "$namespace" \
		--wait --timeout "$timeout"
	say "rolled back to revision $previous"
else
	say "smoke test FAILED on a first install: nothing to roll back to"
fi
exit 1

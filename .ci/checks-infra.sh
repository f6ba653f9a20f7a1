#!/usr/bin/env bash
# Checks of the deployable stack with the tools the AWS ecosystem trusts (issue 5):
#   cfn-lint       deploy/template.json          no errors and no warnings
#   checkov        deploy/template.json          no failed check (suppressions carry reasons)
#   asl-validator  deploy/statemachine*.asl.json the definitions (SQL, Flink), as is and substituted
# The goldens' freshness, the invariants and our own ASL validator run in `cargo test`
# (infra/tests). Idempotent; installs its pinned tools under .venv/ (gitignored) on first run.
# Run from anywhere: bash .ci/checks-infra.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.2.533
ASL_VALIDATOR_VERSION=4.0.0
VENV=.venv/infra
NPM_PREFIX=.venv/infra-npm
TEMPLATE=deploy/template.json

step() { printf '\n==> %s\n' "$*"; }
started=$SECONDS

step "tools: cfn-lint $CFN_LINT_VERSION, checkov $CHECKOV_VERSION (Python venv $VENV), asl-validator $ASL_VALIDATOR_VERSION (npm prefix $NPM_PREFIX)"
command -v python3 >/dev/null || { echo "python3 not found: apt-get install python3 python3-venv" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm not found: apt-get install npm" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" || { echo "cannot create a venv: apt-get install python3-venv" >&2; exit 1; }
fi
have_py() { "$VENV/bin/python" -m pip show "$1" 2>/dev/null | grep -qx "Version: $2"; }
if ! have_py cfn-lint "$CFN_LINT_VERSION" || ! have_py checkov "$CHECKOV_VERSION"; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "cfn-lint==$CFN_LINT_VERSION" "checkov==$CHECKOV_VERSION"
fi
ASL_VALIDATOR="$NPM_PREFIX/node_modules/.bin/asl-validator"
if [ "$(node -p "require('./$NPM_PREFIX/node_modules/asl-validator/package.json').version" 2>/dev/null)" != "$ASL_VALIDATOR_VERSION" ]; then
  npm install --prefix "$NPM_PREFIX" --no-audit --no-fund --silent "asl-validator@$ASL_VALIDATOR_VERSION"
fi
"$VENV/bin/cfn-lint" --version
"$VENV/bin/checkov" --version
echo "asl-validator $ASL_VALIDATOR_VERSION"
echo "tools ready after $((SECONDS - started)) s"

step "cfn-lint $TEMPLATE: the template against CloudFormation's resource specs, including the state machine's definition (E3601); errors and warnings both fail"
"$VENV/bin/cfn-lint" --format parseable -- "$TEMPLATE"
echo "cfn-lint: no errors, no warnings"

step "checkov $TEMPLATE: security checks (IAM, Lambda, logs); every suppression is in the resource's Metadata.checkov.skip with its reason"
# --skip-download: no network (checkov otherwise fetches its platform's guidelines).
checkov_out=$(mktemp)
if ! "$VENV/bin/checkov" -f "$TEMPLATE" --framework cloudformation --skip-download \
    --compact >"$checkov_out" 2>&1; then
  # Again with --quiet, which prints the failed checks only.
  "$VENV/bin/checkov" -f "$TEMPLATE" --framework cloudformation --skip-download --compact --quiet || true
  echo "checkov: failed checks above" >&2
  exit 1
fi
grep -E "^(cloudformation scan results|Passed checks)" "$checkov_out"
rm -f "$checkov_out"

for DEFINITION in deploy/statemachine.asl.json deploy/statemachine-flink.asl.json; do
  step "asl-validator $DEFINITION: the definition against the States Language schema, as checked in and as deployed"
  # asl-validator 4.0 accepts the ${...FunctionArn} placeholders in Resource (CloudFormation's
  # DefinitionSubstitutions fill them at deploy time), so the golden is validated as it is; a copy
  # with example Lambda ARNs substituted is validated too, because that is what Step Functions runs.
  "$ASL_VALIDATOR" --json-path "$DEFINITION"
  substituted=$(mktemp --suffix=.asl.json)
  sed -E 's/\$\{([A-Za-z]+)FunctionArn\}/arn:aws:lambda:us-east-1:123456789012:function:kdaflow-\1/g' \
    "$DEFINITION" >"$substituted"
  if grep -q '\${' "$substituted"; then
    echo "asl-validator: unsubstituted \${...} left in the definition" >&2
    exit 1
  fi
  "$ASL_VALIDATOR" --json-path "$substituted"
  rm -f "$substituted"
done

step "infra checks passed in $((SECONDS - started)) s"

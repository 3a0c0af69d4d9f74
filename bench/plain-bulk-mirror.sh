#!/bin/sh
# The baseline of the bulk-import benchmark: what an operator would script by hand to mirror
# many repositories at once. Reads repository names (one a line) on stdin; for each, in
# <concurrency> parallel lanes: create the OneDev project under <parent-id>, clone --mirror
# from <source-base>/<name>.git, push heads and tags to <onedev-url>/<parent-path>/<name>.git.
# Usage: plain-bulk-mirror.sh <source-base> <onedev-url> <parent-path> <parent-id> <work-dir> <concurrency>
# The OneDev token comes in ONEDEV_TOKEN (never argv): curl reads it from a header file, git
# from GIT_CONFIG_* variables.
set -eu
export SRC=$1 DST=$2 PARENT_PATH=$3 PARENT_ID=$4 WORK=$5
lanes=$6
umask 077
printf 'Authorization: Bearer %s\n' "$ONEDEV_TOKEN" >"$WORK/auth-header"
export ONEDEV_HEADER="Authorization: Bearer $ONEDEV_TOKEN"
xargs -P "$lanes" -n 1 sh -c '
  set -eu
  name=$1
  curl -sS --fail-with-body -o /dev/null -H @"$WORK/auth-header" -H "Content-Type: application/json" \
    --data "{\"name\":\"$name\",\"parentId\":$PARENT_ID,\"gitPackConfig\":{},\"codeAnalysisSetting\":{}}" \
    "$DST/~api/projects"
  git clone --quiet --mirror "$SRC/$name.git" "$WORK/$name.git"
  GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="$ONEDEV_HEADER" \
    git -C "$WORK/$name.git" push --quiet "$DST/$PARENT_PATH/$name.git" \
    "refs/heads/*:refs/heads/*" "refs/tags/*:refs/tags/*"
' sh

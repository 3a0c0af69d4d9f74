#!/bin/sh
# Baseline for "one new commit": update the plain script's mirror clone and push again.
# Usage: plain-update.sh <onedev-project-git-url> <work-dir>  (token in ONEDEV_TOKEN)
set -eu
dst=$1
work=$2
t0=$(date +%s%N)
git -C "$work/repo.git" fetch --quiet --prune origin
t1=$(date +%s%N)
git -C "$work/repo.git" -c http.extraHeader="Authorization: Bearer $ONEDEV_TOKEN" \
  push --quiet "$dst" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'
t2=$(date +%s%N)
echo "fetch $((t1 - t0))"
echo "push $((t2 - t1))"

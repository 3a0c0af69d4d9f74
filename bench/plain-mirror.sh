#!/bin/sh
# The baseline of the first-mirror benchmark: what an operator would script by hand.
# Usage: plain-mirror.sh <source-url> <onedev-project-git-url> <work-dir>
# The OneDev token comes in ONEDEV_TOKEN (not argv). Prints the time of each step in ns.
set -eu
src=$1
dst=$2
work=$3
t0=$(date +%s%N)
git clone --quiet --mirror "$src" "$work/repo.git"
t1=$(date +%s%N)
git -C "$work/repo.git" -c http.extraHeader="Authorization: Bearer $ONEDEV_TOKEN" \
  push --quiet "$dst" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'
t2=$(date +%s%N)
echo "clone $((t1 - t0))"
echo "push $((t2 - t1))"

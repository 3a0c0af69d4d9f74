#!/bin/sh
# The baseline of the LFS benchmark: what an operator would script by hand for a repository
# with LFS objects. Usage: plain-lfs-mirror.sh <source-url> <onedev-project-git-url> <work-dir>
# Tokens come in GITHUB_TOKEN and ONEDEV_TOKEN (not argv). Prints the time of each step in ns.
set -eu
src=$1
dst=$2
work=$3
from="Authorization: Bearer $GITHUB_TOKEN"
to="Authorization: Bearer $ONEDEV_TOKEN"
t0=$(date +%s%N)
git -c http.extraHeader="$from" clone --quiet --mirror "$src" "$work/repo.git"
t1=$(date +%s%N)
git -C "$work/repo.git" -c http.extraHeader="$from" lfs fetch --all origin >/dev/null
t2=$(date +%s%N)
git -C "$work/repo.git" -c http.extraHeader="$to" \
  push --quiet "$dst" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'
t3=$(date +%s%N)
git -C "$work/repo.git" -c http.extraHeader="$to" lfs push --all "$dst" >/dev/null 2>&1
t4=$(date +%s%N)
echo "clone $((t1 - t0))"
echo "lfs-fetch $((t2 - t1))"
echo "push $((t3 - t2))"
echo "lfs-push $((t4 - t3))"

#!/bin/sh
# Entry point of the compose stack's PostgreSQL: the image's own entry point, with
# shared_buffers sized to the memory this container may use, because the image keeps
# PostgreSQL's fixed default (128 MB) whatever the machine has.
#
# POSTGRES_SHARED_BUFFERS (e.g. 2GB) wins when set. Otherwise: the smaller of the
# machine's memory and the container's cgroup limit; a quarter of it from 1 GB up (the
# starting value PostgreSQL's manual gives for a server with 1 GB or more), an eighth
# below (the manual asks for a smaller share there, to leave the operating system
# room; the eighth is this project's choice).
#
# `postgres-start.sh --print` prints the value and exits (tests/core/test_compose.py).
set -eu

meminfo="${MEMINFO_FILE:-/proc/meminfo}"
total_kb=$(awk '/^MemTotal:/ { print $2 }' "$meminfo")
# cgroup v2, then v1; "max" or a huge v1 number means no limit of the container's own.
for limit_file in ${CGROUP_MEMORY_FILES:-/sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes}; do
    if [ -r "$limit_file" ]; then
        limit=$(cat "$limit_file")
        if [ "$limit" != "max" ]; then
            limit_kb=$(awk -v bytes="$limit" 'BEGIN { printf "%d", bytes / 1024 }')
            if [ "$limit_kb" -lt "$total_kb" ]; then
                total_kb=$limit_kb
            fi
        fi
        break
    fi
done

if [ "$total_kb" -ge 1048576 ]; then
    buffers_kb=$((total_kb / 4))
else
    buffers_kb=$((total_kb / 8))
fi
buffers="${POSTGRES_SHARED_BUFFERS:-${buffers_kb}kB}"

if [ "${1:-}" = "--print" ]; then
    echo "$buffers"
    exit 0
fi
# The image's default command ("postgres") may arrive as the first argument.
if [ "${1:-}" = "postgres" ]; then
    shift
fi
echo "postgres-start: shared_buffers=$buffers" >&2
exec docker-entrypoint.sh postgres -c "shared_buffers=$buffers" "$@"

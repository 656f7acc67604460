# chschema: apply the pending ClickHouse migrations. Tutor runs this script
# with `sh -e -c` in the chschema-job container at every `tutor local|k8s do
# init` (so at every launch and upgrade). It is configured by the container's
# environment only, which the plugin's job definitions set from the Tutor
# configuration:
#
#   CHSCHEMA_DSN            the ClickHouse to migrate (clickhouse://user:password@host:port/db)
#   CHSCHEMA_DIR            the migrations in the image (/chschema/migrations)
#   CHSCHEMA_HISTORY_TABLE  where the history and the lock live (db.table)
#   CHSCHEMA_VAR_<NAME>     the migrations' template variables (database names, ON CLUSTER)
#   CHSCHEMA_LOG_FORMAT     text (timestamped lines) or json (one JSON object per line)
#   CHSCHEMA_WAIT           how long to wait for ClickHouse to answer (default 5m)
#   CHSCHEMA_LOCK_TIMEOUT   how long to wait for another run's lock (default 30m)
#   CHSCHEMA_LOCK_LEASE     how long a crashed run's lock outlives it (default 1m)
#   CHSCHEMA_CLUSTER        the cluster for the history and lock tables (empty: one server)
set -eu
: "${CHSCHEMA_DSN:?is not set: the plugin sets it from CLICKHOUSE_* in the Tutor config}"
: "${CHSCHEMA_DIR:?is not set: the image sets it to its migrations}"
set -- migrate \
	--wait "${CHSCHEMA_WAIT:-5m}" \
	--lock-timeout "${CHSCHEMA_LOCK_TIMEOUT:-30m}" \
	--lock-lease "${CHSCHEMA_LOCK_LEASE:-1m}"
if [ -n "${CHSCHEMA_CLUSTER:-}" ]; then
	set -- "$@" --cluster "$CHSCHEMA_CLUSTER"
fi
# The version, in the job log (without the DSN: it does not wait for the server).
CHSCHEMA_DSN= chschema version
# exec: chschema replaces the shell as the container's main process, so that
# a pod or container stop (SIGTERM) reaches it, and its exit code is the job's.
exec chschema "$@"

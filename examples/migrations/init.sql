-- Databases of an Open edX Aspects-like deployment. ${ON_CLUSTER} is empty
-- on a single node and "ON CLUSTER <name>" on a cluster.
CREATE DATABASE IF NOT EXISTS ${XAPI_DB} ${ON_CLUSTER};
CREATE DATABASE IF NOT EXISTS ${EVENT_SINK_DB} ${ON_CLUSTER};
CREATE DATABASE IF NOT EXISTS ${VECTOR_DB} ${ON_CLUSTER};

-- Operators and clauses found by TestExpressionOperators from the server's
-- own lists of what may follow an operand and a query's FROM table.
CREATE TABLE ${db}.ops (a UInt8, b UInt8, s String, d DateTime, n Nullable(UInt8), f Bool, x UInt8 DEFAULT a IS NOT DISTINCT FROM b, y UInt8 DEFAULT n IS DISTINCT FROM 1, CONSTRAINT c CHECK f IS NOT FALSE, INDEX i s REGEXP '^x' TYPE minmax GRANULARITY 1) ENGINE = MergeTree ORDER BY a TTL d + INTERVAL 1 DAY WHERE n IS UNKNOWN;
CREATE VIEW ${db}.ops_v AS SELECT a, a <=> b AS e, f IS TRUE AS t, f IS NOT TRUE AS nt, n IS NOT UNKNOWN AS k FROM ${db}.ops WHERE a IS NOT DISTINCT FROM b;
CREATE VIEW ${db}.ops_qualify AS SELECT a, row_number() OVER (PARTITION BY a ORDER BY b) AS rn FROM ${db}.ops QUALIFY rn = 1 ORDER BY a;
-- expect-unsupported
CREATE VIEW ${db}.ops_inexact AS SELECT a FROM ${db}.ops WHERE a IS NOT DISTINCT FROM b = 1;
CREATE VIEW ${db}.ops_anti AS SELECT o.a FROM ${db}.ops AS o ANTI LEFT JOIN ${db}.ops AS p ON o.a = p.b;
CREATE VIEW ${db}.ops_anti_right AS SELECT p.b FROM ${db}.ops AS o ANTI RIGHT OUTER JOIN ${db}.ops AS p USING (a);
-- expect-unsupported
CREATE VIEW ${db}.ops_natural AS SELECT o.a FROM ${db}.ops AS o NATURAL JOIN ${db}.ops AS p;

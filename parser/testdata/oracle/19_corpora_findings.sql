-- Held-out corpora (issue 11, /work/corpora FINDINGS.md F5-F40): each block
-- is our own reduction of a statement sequence the server accepts and the
-- model once got wrong, named by its finding.

-- F26: SQL-standard multi-word types (ClickHouse test 01144).
CREATE TABLE c19_multiword_types (a DOUBLE, b DOUBLE PRECISION, c CHAR DEFAULT 'str', d CHAR VARYING,
  e CHAR LARGE OBJECT COMMENT 'comment', f CHARACTER VARYING(123), g ChArAcTeR   large    OBJECT,
  h nchar varying (456) default toString(a) comment 'comment', i NCHAR LARGE OBJECT, j BINARY LARGE OBJECT,
  k BINARY VARYING, l NATIONAL CHAR, m NATIONAL CHARACTER, n NATIONAL CHARACTER LARGE OBJECT,
  o NATIONAL CHARACTER VARYING, p NATIONAL CHAR VARYING, q INT1 SIGNED, r BIGINT SIGNED, s FLOAT(3)) ENGINE = Memory;
ALTER TABLE c19_multiword_types ADD COLUMN t NATIONAL CHARACTER LARGE OBJECT AFTER a, MODIFY COLUMN q TINYINT UNSIGNED;

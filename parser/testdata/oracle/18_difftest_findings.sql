-- Forms the differential tester (internal/difftest) found modelled wrong:
-- one commented block per finding, each named by the failure it was.

-- difftest lint-rejects / live-unreadable: a quoted name with an escaped or
-- doubled quote of its own kind (`c\`q`, `c``q`, "c\"q"): AfterShip's lexer
-- ended the name at that quote, so lint called it a syntax error and the
-- server's own create_table_query was unreadable.
CREATE TABLE `dtf_q\`t` (`c\`q` UInt8, `c``r` String, "c\"s" Date, `c\\t` UInt8) ENGINE = MergeTree ORDER BY `c\`q`;
ALTER TABLE `dtf_q\`t` ADD COLUMN `d\`q` UInt8 DEFAULT `c\`q` + 1 AFTER `c\`q`;
CREATE VIEW `dtf_q\`v` AS SELECT `c\`q`, "c\"s" FROM `dtf_q\`t`;

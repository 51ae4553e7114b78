-- Whether rows COPYed into $1 (or one of its partitions) may be skipped or diverted: by a BEFORE
-- INSERT row trigger (COPY does not say how many rows it kept) or by an INSERT rule (COPY ignores
-- rules, INSERT applies them). Such a table is loaded through staging, whose INSERT does both.
SELECT EXISTS (
    SELECT FROM pg_catalog.pg_trigger
    WHERE tgrelid IN (SELECT $1::regclass UNION ALL SELECT inhrelid FROM pg_catalog.pg_inherits WHERE inhparent = $1::regclass)
      AND NOT tgisinternal AND tgenabled <> 'D'
      AND (tgtype::int & 1) = 1   -- FOR EACH ROW
      AND (tgtype::int & 2) = 2   -- BEFORE
      AND (tgtype::int & 4) = 4   -- INSERT
) OR EXISTS (
    SELECT FROM pg_catalog.pg_rewrite
    WHERE ev_class IN (SELECT $1::regclass UNION ALL SELECT inhrelid FROM pg_catalog.pg_inherits WHERE inhparent = $1::regclass)
      AND ev_type = '3'           -- ON INSERT
      AND ev_enabled <> 'D'
);

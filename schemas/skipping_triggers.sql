-- Whether rows COPYed into $1 may be skipped by a BEFORE INSERT row trigger (on the table or one of
-- its partitions): COPY does not say how many it kept, so such a load counts rows through staging.
SELECT EXISTS (
    SELECT FROM pg_trigger
    WHERE tgrelid IN (SELECT $1::regclass UNION ALL SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass)
      AND NOT tgisinternal AND tgenabled <> 'D'
      AND (tgtype::int & 1) = 1   -- FOR EACH ROW
      AND (tgtype::int & 2) = 2   -- BEFORE
      AND (tgtype::int & 4) = 4   -- INSERT
);

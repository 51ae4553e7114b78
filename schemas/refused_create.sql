-- A batch the database refused, written again in its rows' order, server-side: the batch's rows
-- numbered from 1 ("_dgkafka_n"), and a sequence marking the row being moved (no rollback undoes
-- a sequence, so after a refused statement it names the row the error came at, in any language).
CREATE TEMPORARY TABLE IF NOT EXISTS "dgkafka_rows" ON COMMIT DELETE ROWS AS
    SELECT 0 AS "_dgkafka_n", ${row_columns} FROM ${row_source} WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS "dgkafka_rows_n" ON pg_temp."dgkafka_rows" ("_dgkafka_n");
CREATE TEMPORARY SEQUENCE IF NOT EXISTS "dgkafka_mark" MINVALUE 0;
-- Numbers the rows of a COPY that sets rows aside (refused_aside.sql), from 1 in each batch.
CREATE TEMPORARY SEQUENCE IF NOT EXISTS "dgkafka_count" MINVALUE 0 CACHE 1000;

-- A row that breaks a rule of the table, set aside by the COPY (refused_aside.sql) into the
-- numbered table rather than inserted; false, so the COPY leaves it out.
CREATE OR REPLACE FUNCTION pg_temp."dgkafka_aside"("dgkafka_rows" pg_temp."dgkafka_rows")
RETURNS boolean LANGUAGE sql AS $dgkafka$
    INSERT INTO pg_temp."dgkafka_rows" SELECT ($1).*;
    SELECT false;
$dgkafka$;

-- (The SQL of the batch's move reads the columns it names, not the functions' variables.)
-- Moves rows [lo, hi) in a subtransaction: their count, or why the database refused them when
-- it is the data's fault (other errors go on to the client). A probe (keep = false) is undone.
CREATE OR REPLACE FUNCTION pg_temp."dgkafka_move${target}"(
    "dgkafka_lo" integer, "dgkafka_hi" integer, "dgkafka_keep" boolean,
    OUT "dgkafka_moved" bigint, OUT "dgkafka_state" text, OUT "dgkafka_message" text)
LANGUAGE plpgsql AS $dgkafka$
#variable_conflict use_column
DECLARE
    "moved" bigint;
    "state" text;
    "message" text;
BEGIN
    PERFORM pg_catalog.setval('pg_temp."dgkafka_mark"', "dgkafka_lo" - 1);
    BEGIN
        ${try_marked}
        IF NOT "dgkafka_keep" THEN
            RAISE SQLSTATE 'DGKPR';  -- undoes the move
        END IF;
    EXCEPTION WHEN SQLSTATE 'DGKPR' THEN
        NULL;
    END;
    "dgkafka_moved" := "moved";
    "dgkafka_state" := "state";
    "dgkafka_message" := "message";
END $dgkafka$;

-- Walks rows [from, last]. First, when the table has rules it checks on each row alone (CHECK,
-- NOT NULL) and rows break them, in pieces: the rows breaking them (found by one query) are
-- tried alone, the rows between them go in as plain statements, no subtransaction each (the
-- piece is one). A piece refused all the same (rows break something else too, a unique key, a
-- trigger) is undone, and the marks walk the rest:
-- in runs; a run goes in, or the mark names the row k it was refused at.
-- Then [pos, k) goes in, and k is refused. An error raised before the run's last row was read is
-- row k's own (the rows after it were not read yet, those before it went in); one raised at the
-- run's last row may come from the end of the statement (an AFTER trigger, a deferrable unique
-- index), so k is tried alone. Rows are read in storage order, nearly always their numbers' (COPY
-- may put a short row on an earlier page): when [pos, k) is refused too, the caller searches it. Returns a row per refused row (its number, SQLSTATE and message),
-- then a last row: "dgkafka_row" past "last" when done, else [dgkafka_row, dgkafka_end) holds a
-- refused row that the mark could not name, for the caller's search.
CREATE OR REPLACE FUNCTION pg_temp."dgkafka_walk${target}"(
    "dgkafka_from" integer, "dgkafka_last" integer,
    OUT "dgkafka_row" integer, OUT "dgkafka_end" integer, OUT "dgkafka_moved" bigint,
    OUT "dgkafka_state" text, OUT "dgkafka_message" text)
RETURNS SETOF record LANGUAGE plpgsql AS $dgkafka$
#variable_conflict use_column
DECLARE
    "step" text := 'run';  -- run: [pos, pos + run); before: [pos, k); alone: [k, k + 1)
    "pos" integer := "dgkafka_from";
    "run" integer := "dgkafka_last" - "dgkafka_from" + 1;
    "dgkafka_lo" integer;
    "dgkafka_hi" integer;
    "k" integer;
    "known" boolean;  -- k's refusal is known (its SQLSTATE and message kept), no need to try it alone
    "moved" bigint;
    "total" bigint := 0;
    "refused" integer := 0;
    "state" text;
    "message" text;
    "suspects" integer[];     -- rows breaking the table's rules, in order; NULL: none known
    "next" integer := 1;      -- the first suspect not yet tried
    "i" integer;
    "piece" integer := 1000;  -- rows per piece: what a piece refused all the same costs again
    "piece_end" integer;
    "piece_moved" bigint;
    "found" integer[];        -- a piece's refused rows, their SQLSTATEs and messages
    "found_states" text[];
    "found_messages" text[];
BEGIN
    BEGIN
        "suspects" := ${suspects};
    EXCEPTION WHEN OTHERS THEN
        -- Only a hint: a mapping failing on a row, a rule that no longer holds (its function
        -- dropped since the load started) leave the rows to the marks, which find the real errors.
        "suspects" := NULL;
    END;
    WHILE "pos" <= "dgkafka_last" AND pg_catalog.cardinality("suspects") > 0 LOOP
        "piece_end" := LEAST("pos" + "piece", "dgkafka_last" + 1);
        "piece_moved" := 0;
        "found" := '{}';
        "found_states" := '{}';
        "found_messages" := '{}';
        "i" := "next";
        BEGIN
            "dgkafka_lo" := "pos";
            LOOP
                "dgkafka_hi" := "piece_end";
                IF "i" <= pg_catalog.cardinality("suspects") AND "suspects"["i"] < "piece_end" THEN
                    "dgkafka_hi" := "suspects"["i"];
                END IF;
                IF "dgkafka_hi" > "dgkafka_lo" THEN
                    ${move_unmarked};
                    "piece_moved" := "piece_moved" + "moved";
                END IF;
                EXIT WHEN "dgkafka_hi" = "piece_end";
                "dgkafka_lo" := "dgkafka_hi";  -- the suspect, alone
                "dgkafka_hi" := "dgkafka_lo" + 1;
                ${try_unmarked}
                "piece_moved" := "piece_moved" + COALESCE("moved", 0);
                IF "moved" IS NULL THEN
                    "found" := "found" || "dgkafka_lo";
                    "found_states" := "found_states" || "state";
                    "found_messages" := "found_messages" || "message";
                END IF;
                "dgkafka_lo" := "dgkafka_hi";
                "i" := "i" + 1;
            END LOOP;
        EXCEPTION WHEN OTHERS THEN
            IF NOT (pg_catalog.left(SQLSTATE, 2) = ANY (${refusals})) THEN
                RAISE;
            END IF;
            "suspects" := NULL;  -- the piece is undone; the marks walk from its first row
            CONTINUE;
        END;
        FOR "j" IN 1 .. pg_catalog.cardinality("found") LOOP
            "dgkafka_row" := "found"["j"];
            "dgkafka_state" := "found_states"["j"];
            "dgkafka_message" := "found_messages"["j"];
            RETURN NEXT;
        END LOOP;
        "refused" := "refused" + pg_catalog.cardinality("found");
        "total" := "total" + "piece_moved";
        "next" := "i";
        "pos" := "piece_end";
    END LOOP;
    WHILE "pos" <= "dgkafka_last" LOOP
        IF "step" = 'run' THEN
            "dgkafka_lo" := "pos";
            "dgkafka_hi" := LEAST("pos" + "run", "dgkafka_last" + 1);
        ELSIF "step" = 'before' THEN
            "dgkafka_lo" := "pos";
            "dgkafka_hi" := "k";
        ELSE
            "dgkafka_lo" := "k";
            "dgkafka_hi" := "k" + 1;
        END IF;
        -- Inline, not dgkafka_move: calling it costs ~4.5 µs an attempt on top of ~6 µs
        -- (PostgreSQL 15, 30,000 one-row attempts), ~0.1 s per 10,000 refused rows.
        PERFORM pg_catalog.setval('pg_temp."dgkafka_mark"', "dgkafka_lo" - 1);
        ${try_marked}
        "total" := "total" + COALESCE("moved", 0);
        IF "step" = 'run' THEN
            IF "moved" IS NOT NULL THEN
                "pos" := "dgkafka_hi";
                "run" := "run" * 2;
                CONTINUE;
            END IF;
            "k" := pg_catalog.currval('pg_temp."dgkafka_mark"');
            EXIT WHEN "k" < "pos" OR "k" >= "dgkafka_hi";
            "known" := "k" < "dgkafka_hi" - 1 OR "dgkafka_hi" - "dgkafka_lo" = 1;
            "step" := CASE WHEN "k" > "pos" THEN 'before' WHEN "known" THEN 'done' ELSE 'alone' END;
        ELSIF "step" = 'before' THEN
            EXIT WHEN "moved" IS NULL;  -- [pos, k) holds a refused row too
            "step" := CASE WHEN "known" THEN 'done' ELSE 'alone' END;
        ELSE
            "known" := "moved" IS NULL;
            "step" := 'done';
        END IF;
        IF "step" = 'done' THEN
            IF "known" THEN
                "dgkafka_row" := "k";
                "dgkafka_state" := "state";
                "dgkafka_message" := "message";
                RETURN NEXT;
                "refused" := "refused" + 1;
            END IF;
            "pos" := "k" + 1;
            "step" := 'run';
            -- The next run: a refused run costs its rows twice, each run a statement; with gaps g
            -- between refused rows, runs of sqrt(24 g) rows balance the two (measured: a
            -- statement costs about as much as 12 rows). Doubling while runs go in.
            "run" := GREATEST(1, pg_catalog.sqrt(24.0 * ("pos" - "dgkafka_from") / GREATEST(1, "refused"))::integer);
        END IF;
    END LOOP;
    "dgkafka_row" := "pos";
    "dgkafka_end" := "dgkafka_hi";
    "dgkafka_moved" := "total";
    "dgkafka_state" := NULL;
    "dgkafka_message" := NULL;
    RETURN NEXT;
END $dgkafka$;

-- The rows the COPY set aside, each tried alone, in order: its number, and the rows it inserted,
-- or NULL and why the database refused it.
CREATE OR REPLACE FUNCTION pg_temp."dgkafka_tried_aside"(
    OUT "dgkafka_row" integer, OUT "dgkafka_moved" bigint, OUT "dgkafka_state" text, OUT "dgkafka_message" text)
RETURNS SETOF record LANGUAGE plpgsql AS $dgkafka$
#variable_conflict use_column
DECLARE
    "dgkafka_lo" integer;
    "dgkafka_hi" integer;
    "moved" bigint;
    "state" text;
    "message" text;
BEGIN
    FOR "dgkafka_row" IN SELECT "_dgkafka_n" FROM pg_temp."dgkafka_rows" ORDER BY 1 LOOP
        "dgkafka_lo" := "dgkafka_row";
        "dgkafka_hi" := "dgkafka_row" + 1;
        "state" := NULL;
        "message" := NULL;
        ${try_unmarked}
        "dgkafka_moved" := "moved";
        "dgkafka_state" := "state";
        "dgkafka_message" := "message";
        RETURN NEXT;
    END LOOP;
END $dgkafka$;

-- A batch the database refused, written again in its rows' order, server-side: the batch's rows
-- numbered from 1 ("_dgkafka_n"), and a sequence marking the row being moved (no rollback undoes
-- a sequence, so after a refused statement it names the row the error came at, in any language).
CREATE TEMPORARY TABLE IF NOT EXISTS "dgkafka_rows" ON COMMIT DELETE ROWS AS
    SELECT 0 AS "_dgkafka_n", ${row_columns} FROM ${row_source} WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS "dgkafka_rows_n" ON pg_temp."dgkafka_rows" ("_dgkafka_n");
CREATE TEMPORARY SEQUENCE IF NOT EXISTS "dgkafka_mark" MINVALUE 0;

-- Moves rows [from, upto) in a subtransaction: their count, or why the database refused them when
-- it is the data's fault (other errors go on to the client). A probe (keep = false) is undone.
CREATE OR REPLACE FUNCTION pg_temp."dgkafka_move"(
    "dgkafka_from" integer, "dgkafka_upto" integer, "dgkafka_keep" boolean,
    OUT "dgkafka_moved" bigint, OUT "dgkafka_state" text, OUT "dgkafka_message" text)
LANGUAGE plpgsql AS $dgkafka$
BEGIN
    PERFORM pg_catalog.setval('pg_temp."dgkafka_mark"', "dgkafka_from" - 1);
    BEGIN
        ${move};
        GET DIAGNOSTICS "dgkafka_moved" = ROW_COUNT;
        IF NOT "dgkafka_keep" THEN
            RAISE SQLSTATE 'DGKPR';
        END IF;
    EXCEPTION
        WHEN SQLSTATE 'DGKPR' THEN
            NULL;
        WHEN OTHERS THEN
            IF NOT (pg_catalog.left(SQLSTATE, 2) = ANY (${refusals})) THEN
                RAISE;
            END IF;
            "dgkafka_moved" := NULL;
            "dgkafka_state" := SQLSTATE;
            "dgkafka_message" := SQLERRM;
    END;
END $dgkafka$;

-- Walks rows [from, last]: a run goes in, or the mark names the row it was refused at, k; then
-- [pos, k) goes in and k alone is refused (each checked: an error raised at the end of a statement,
-- such as an AFTER trigger's, leaves the mark on the run's last row). One row per refused row (its
-- number, SQLSTATE and message), then a last row: "dgkafka_row" past "last" when done, else
-- [row_number, upto) holds a refused row that the mark could not name (the caller searches it).
CREATE OR REPLACE FUNCTION pg_temp."dgkafka_walk"(
    "dgkafka_from" integer, "dgkafka_last" integer,
    OUT "dgkafka_row" integer, OUT "dgkafka_end" integer, OUT "dgkafka_moved" bigint,
    OUT "dgkafka_state" text, OUT "dgkafka_message" text)
RETURNS SETOF record LANGUAGE plpgsql AS $dgkafka$
DECLARE
    "pos" integer := "dgkafka_from";
    "run" integer := "dgkafka_last" - "dgkafka_from" + 1;
    "hi" integer;
    "k" integer;
    "r" record;
    "total" bigint := 0;
    "refused" integer := 0;
BEGIN
    WHILE "pos" <= "dgkafka_last" LOOP
        "hi" := LEAST("pos" + "run", "dgkafka_last" + 1);
        "r" := pg_temp."dgkafka_move"("pos", "hi", true);
        IF "r"."dgkafka_moved" IS NOT NULL THEN
            "total" := "total" + "r"."dgkafka_moved";
            "pos" := "hi";
            "run" := "run" * 2;
            CONTINUE;
        END IF;
        "k" := pg_catalog.currval('pg_temp."dgkafka_mark"');
        EXIT WHEN "k" < "pos" OR "k" >= "hi";
        IF "k" > "pos" THEN
            "r" := pg_temp."dgkafka_move"("pos", "k", true);
            IF "r"."dgkafka_moved" IS NULL THEN
                "hi" := "k";
                EXIT;
            END IF;
            "total" := "total" + "r"."dgkafka_moved";
        END IF;
        "r" := pg_temp."dgkafka_move"("k", "k" + 1, true);
        IF "r"."dgkafka_moved" IS NULL THEN
            "dgkafka_row" := "k";
            "dgkafka_state" := "r"."dgkafka_state";
            "dgkafka_message" := "r"."dgkafka_message";
            RETURN NEXT;
            "refused" := "refused" + 1;
        ELSE
            "total" := "total" + "r"."dgkafka_moved";
        END IF;
        "pos" := "k" + 1;
        -- The next run: half the mean gap between refused rows, doubling while runs go in.
        "run" := GREATEST(1, ("pos" - "dgkafka_from") / GREATEST(1, "refused") / 2);
    END LOOP;
    "dgkafka_row" := "pos";
    "dgkafka_end" := "hi";
    "dgkafka_moved" := "total";
    "dgkafka_state" := NULL;
    "dgkafka_message" := NULL;
    RETURN NEXT;
END $dgkafka$;

-- One attempt of a move of rows [dgkafka_lo, dgkafka_hi) in a subtransaction, inline in the
-- functions of refused_create.sql (a function call per attempt costs as much as the attempt):
-- "moved" its count (the move sets it), or NULL and "state", "message" when it is the data's fault that the database
-- refused the rows (other errors go on to the client).
BEGIN
    ${move};
EXCEPTION WHEN OTHERS THEN
    IF NOT (pg_catalog.left(SQLSTATE, 2) = ANY (${refusals})) THEN
        RAISE;
    END IF;
    "moved" := NULL;
    "state" := SQLSTATE;
    "message" := SQLERRM;
END;

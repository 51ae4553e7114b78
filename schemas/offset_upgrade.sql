-- dgkafka setup brings offset tables of an earlier shape forward; a no-op on the current shape.
-- Their rows were keyed by group, topic and partition only: they are taken to belong to the job
-- being set up (its output table, set by offset_upgrade_args).
DO $upgrade$
DECLARE
    owner_table text := current_setting('dgkafka.upgrade_output_table');
    offsets regclass := to_regclass(current_setting('dgkafka.upgrade_offset_table'));
    history regclass := to_regclass(current_setting('dgkafka.upgrade_history_table'));
    pk name;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                   WHERE attrelid = offsets AND attname = 'output_table' AND NOT attisdropped) THEN
        SELECT conname INTO pk FROM pg_catalog.pg_constraint WHERE conrelid = offsets AND contype = 'p';
        ALTER TABLE ${offset_table} ADD COLUMN "output_table" text;
        UPDATE ${offset_table} SET "output_table" = owner_table;
        ALTER TABLE ${offset_table} ALTER COLUMN "output_table" SET NOT NULL;
        IF pk IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', offsets, pk);
        END IF;
        ALTER TABLE ${offset_table}
            ADD PRIMARY KEY ("consumer_group", "topic", "output_table", "partition_number");
        RAISE NOTICE 'offset table %: rows keyed by output table, the existing ones for %', offsets, owner_table;
    END IF;
    ALTER TABLE ${offset_table} ADD COLUMN IF NOT EXISTS "group_offset" bigint;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                   WHERE attrelid = history AND attname = 'output_table' AND NOT attisdropped) THEN
        ALTER TABLE ${history_table} ADD COLUMN "output_table" text;
        UPDATE ${history_table} SET "output_table" = owner_table;
        ALTER TABLE ${history_table} ALTER COLUMN "output_table" SET NOT NULL;
    END IF;
END
$upgrade$;

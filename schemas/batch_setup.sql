-- Each batch's first statement. Deferred constraints (a DEFERRABLE INITIALLY DEFERRED foreign key,
-- a deferred constraint trigger) are checked at the end of each statement instead of at COMMIT,
-- where a refused row could not be told from the others: it is then rejected like any other.
SET CONSTRAINTS ALL IMMEDIATE;

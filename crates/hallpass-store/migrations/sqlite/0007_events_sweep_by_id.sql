-- The retention sweep deletes by id (event ids sort by time), so the index by time is one
-- write per event that nothing needs.

DROP INDEX events_by_at;

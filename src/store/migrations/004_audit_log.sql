-- The audit log (API.md §15): append-only; rows are written in the transaction of the
-- change they record and only the retention sweep removes them. Ids are not foreign keys,
-- so that an event outlives nothing it names and never blocks a delete. details is a JSON
-- object as text.
CREATE TABLE audit_events (
    id         {{PK}},
    at         BIGINT NOT NULL,
    action     TEXT   NOT NULL,
    actor_id   BIGINT,
    subject_id BIGINT,
    class_id   BIGINT,
    session_id BIGINT,
    details    TEXT   NOT NULL DEFAULT '{}',
    request_id TEXT
);
-- Newest first, for the unfiltered admin list and the retention sweep.
CREATE INDEX audit_events_at ON audit_events (at, id);
-- The filters of GET /api/audit and /api/audit/me, each still newest first.
CREATE INDEX audit_events_subject ON audit_events (subject_id, at, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, at, id);
CREATE INDEX audit_events_action ON audit_events (action, at, id);
CREATE INDEX audit_events_class ON audit_events (class_id, at, id);
